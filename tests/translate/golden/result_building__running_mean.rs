// line 41: def running_mean
fn running_mean<V0: rt::View<f64>>(xs: &V0) -> rt::R<rt::PyOut<f64>> {
    let mut __ticks = rt::Ticks::new();
    let mut out = rt::PyOut::<f64>::new();
    let mut total: f64 = 0.0;
    let mut count: i64 = 0;
    let mut v: f64 = 0.0;
    // line 42
    out = rt::PyOut::new();
    // line 43
    total = 0.0;
    // line 44
    count = 0;
    // line 45
    rt::room(&mut out, 0, xs.len() as i64)?;
    let mut __i2 = 0usize;
    while __i2 < xs.len() {
        let __v1 = xs.at_k(__i2)?;
        __i2 += 1;
        __ticks.tick()?;
        v = __v1;
        // line 46
        total += v;
        // line 47
        count = rt::add_i(count, 1)?;
        // line 48
        { let __a3 = rt::div_f(total, (count as f64))?; out.push(__a3)? };
    }
    // line 49
    return Ok(out);
    Err(rt::Deopt) // not reached: Python returns above
}
