// line 20: def matmul
fn matmul(a: &Vec<Vec<f64>>, b: &Vec<Vec<f64>>) -> rt::R<Vec<Vec<f64>>> {
    let mut __ticks = rt::Ticks::new();
    let mut result: Vec<Vec<f64>> = Vec::new();
    let mut i: i64 = 0;
    let mut row: Vec<f64> = Vec::new();
    let mut j: i64 = 0;
    let mut s: f64 = 0.0;
    let mut k: i64 = 0;
    // line 21
    result = Vec::<Vec<f64>>::new();
    // line 22
    rt::room(&mut result, 0, (a.len() as i64))?;
    for __v1 in 0..(a.len() as i64) {
        __ticks.tick()?;
        i = __v1;
        // line 23
        row = Vec::<f64>::new();
        // line 24
        for __v2 in 0..((rt::get(&*b, 0)?).len() as i64) {
            __ticks.tick()?;
            j = __v2;
            // line 25
            s = 0.0;
            // line 26
            let __lo4: i64 = 0;
            let __hi5: i64 = (b.len() as i64);
            if __ticks.bulk(__lo4, __hi5)? {
                for __v3 in __lo4..__hi5 {
                    k = __v3;
                    // line 27
                    s += (*rt::get(rt::get(&*a, i)?, k)? * *rt::get(rt::get(&*b, k)?, j)?);
                }
            } else {
                for __v3 in __lo4..__hi5 {
                    __ticks.tick()?;
                    k = __v3;
                    // line 27
                    s += (*rt::get(rt::get(&*a, i)?, k)? * *rt::get(rt::get(&*b, k)?, j)?);
                }
            }
            // line 28
            { let __a6 = s; rt::push(&mut row, __a6)? };
        }
        // line 29
        { let __a7 = std::mem::take(&mut row); rt::push(&mut result, __a7)? };
    }
    // line 30
    return Ok(result);
    Err(rt::Deopt) // not reached: Python returns above
}
