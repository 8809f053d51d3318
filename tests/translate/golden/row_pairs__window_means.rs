// line 20: def window_means
fn window_means(values: &Vec<f64>, window: i64) -> rt::R<rt::PyOut<f64>> {
    let mut __ticks = rt::Ticks::new();
    let mut out = rt::PyOut::<f64>::new();
    let mut i: i64 = 0;
    let mut total: f64 = 0.0;
    let mut j: i64 = 0;
    // line 21
    out = rt::PyOut::new();
    // line 22
    let __lo1: i64 = 0;
    let __hi2: i64 = rt::add_i(rt::sub_i((values.len() as i64), window)?, 1)?;
    rt::room(&mut out, 0, rt::add_i(rt::sub_i((values.len() as i64), window)?, 1)?)?;
    let mut __p3: i64 = __lo1;
    // rows __p3 to __p3 + 1 side by side (see emit_jam)
    while __p3 < __hi2 && (__hi2 as i128) - (__p3 as i128) >= 2 {
        __ticks.tick()?;
        __ticks.tick()?;
        let __row6: i64 = __p3 + 0;
        let mut __acc8: f64 = 0.0;
        let mut __col7: i64 = 0;
        let __ilo9: i64 = __row6;
        let __ihi10: i64 = rt::add_i(__row6, window)?;
        let __row11: i64 = __p3 + 1;
        let mut __acc13: f64 = 0.0;
        let mut __col12: i64 = 0;
        let __ilo14: i64 = __row11;
        let __ihi15: i64 = rt::add_i(__row11, window)?;
        if (__ihi10 as i128) - (__ilo9 as i128) == (__ihi15 as i128) - (__ilo14 as i128) && __ticks.bulk(__ilo9, __ihi10)? && __ticks.bulk(__ilo14, __ihi15)? {
            for __t4 in 0..(if __ihi10 > __ilo9 { __ihi10 - __ilo9 } else { 0 }) {
                __col7 = __ilo9 + __t4;
                // line 25
                __acc8 += *rt::get(&*values, __col7)?;
                __col12 = __ilo14 + __t4;
                // line 25
                __acc13 += *rt::get(&*values, __col12)?;
            }
        } else {
            for __x5 in __ilo9..__ihi10 {
                __ticks.tick()?;
                __col7 = __x5;
                // line 25
                __acc8 += *rt::get(&*values, __col7)?;
            }
            for __x5 in __ilo14..__ihi15 {
                __ticks.tick()?;
                __col12 = __x5;
                // line 25
                __acc13 += *rt::get(&*values, __col12)?;
            }
        }
        // line 26
        { let __a16 = rt::div_f(__acc8, (window as f64))?; out.push(__a16)? };
        // line 26
        { let __a17 = rt::div_f(__acc13, (window as f64))?; out.push(__a17)? };
        __p3 += 2;
    }
    while __p3 < __hi2 {
        __ticks.tick()?;
        i = __p3;
        // line 23
        total = 0.0;
        // line 24
        let __lo19: i64 = i;
        let __hi20: i64 = rt::add_i(i, window)?;
        if __ticks.bulk(__lo19, __hi20)? {
            for __v18 in __lo19..__hi20 {
                j = __v18;
                // line 25
                total += *rt::get(&*values, j)?;
            }
        } else {
            for __v18 in __lo19..__hi20 {
                __ticks.tick()?;
                j = __v18;
                // line 25
                total += *rt::get(&*values, j)?;
            }
        }
        // line 26
        { let __a21 = rt::div_f(total, (window as f64))?; out.push(__a21)? };
        __p3 += 1;
    }
    // line 27
    return Ok(out);
    Err(rt::Deopt) // not reached: Python returns above
}
