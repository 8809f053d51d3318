// line 51: def convolve1d
fn convolve1d(signal: &Vec<f64>, kernel: &Vec<f64>) -> rt::R<Vec<f64>> {
    let mut __ticks = rt::Ticks::new();
    let mut n: i64 = 0;
    let mut k: i64 = 0;
    let mut out: Vec<f64> = Vec::new();
    let mut i: i64 = 0;
    let mut j: i64 = 0;
    // line 52
    n = (signal.len() as i64);
    // line 53
    k = (kernel.len() as i64);
    // line 54
    out = rt::repeat(&vec![0.0], rt::sub_i(rt::add_i(n, k)?, 1)?)?;
    // line 55
    for __v1 in 0..n {
        __ticks.tick()?;
        i = __v1;
        // line 56
        for __v2 in 0..k {
            __ticks.tick()?;
            j = __v2;
            // line 57
            let __w3 = (*rt::get(&*signal, i)? * *rt::get(&*kernel, j)?);
            let __p4 = { let __i5 = rt::add_i(i, j)?; rt::get_mut(&mut out, __i5)? };
            *__p4 += __w3;
        }
    }
    // line 58
    return Ok(out);
    Err(rt::Deopt) // not reached: Python returns above
}
