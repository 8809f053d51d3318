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
        let __lo3: i64 = 0;
        let __hi4: i64 = k;
        if __ticks.bulk(__lo3, __hi4)? {
            for __v2 in __lo3..__hi4 {
                j = __v2;
                // line 57
                let __w5 = (*rt::get(&*signal, i)? * *rt::get(&*kernel, j)?);
                let __p6 = { let __i7 = rt::add_i(i, j)?; rt::get_mut(&mut out, __i7)? };
                *__p6 += __w5;
            }
        } else {
            for __v2 in __lo3..__hi4 {
                __ticks.tick()?;
                j = __v2;
                // line 57
                let __w5 = (*rt::get(&*signal, i)? * *rt::get(&*kernel, j)?);
                let __p6 = { let __i7 = rt::add_i(i, j)?; rt::get_mut(&mut out, __i7)? };
                *__p6 += __w5;
            }
        }
    }
    // line 58
    return Ok(out);
    Err(rt::Deopt) // not reached: Python returns above
}
