// line 43: def zscore
fn zscore(xs: &Vec<f64>) -> rt::R<Vec<f64>> {
    let mut __ticks = rt::Ticks::new();
    let mut n: i64 = 0;
    let mut mu: f64 = 0.0;
    let mut var: f64 = 0.0;
    let mut x_c0: f64 = 0.0;
    let mut sd: f64 = 0.0;
    let mut x_c1: f64 = 0.0;
    // line 44
    n = (xs.len() as i64);
    // line 45
    mu = rt::div_f(rt::sum_f(&*xs)?, (n as f64))?;
    // line 46
    let mut __lc1: Vec<f64> = Vec::new();
    rt::room(&mut __lc1, 0, xs.len() as i64)?;
    let mut __i3 = 0usize;
    while __i3 < xs.len() {
        let __v2 = xs[__i3];
        __i3 += 1;
        __ticks.tick()?;
        x_c0 = __v2;
        rt::push(&mut __lc1, rt::pow_f((x_c0 - mu), 2.0)?)?;
    }
    var = rt::div_f(rt::sum_f(&__lc1)?, (n as f64))?;
    // line 47
    sd = rt::sqrt(var)?;
    // line 48
    let mut __lc4: Vec<f64> = Vec::new();
    rt::room(&mut __lc4, 0, xs.len() as i64)?;
    let mut __i6 = 0usize;
    while __i6 < xs.len() {
        let __v5 = xs[__i6];
        __i6 += 1;
        __ticks.tick()?;
        x_c1 = __v5;
        rt::push(&mut __lc4, rt::div_f((x_c1 - mu), sd)?)?;
    }
    return Ok(__lc4);
    Err(rt::Deopt) // not reached: Python returns above
}
