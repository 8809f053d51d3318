// line 5: def euclidean
fn euclidean<V0: rt::View<f64>, V1: rt::View<f64>>(a: &V0, b: &V1) -> rt::R<f64> {
    let mut __ticks = rt::Ticks::new();
    let mut s: f64 = 0.0;
    let mut i: i64 = 0;
    let mut d: f64 = 0.0;
    // line 6
    s = 0.0;
    // line 7
    let __lo2: i64 = 0;
    let __hi3: i64 = (a.len() as i64);
    if __ticks.bulk(__lo2, __hi3)? {
        for __v1 in __lo2..__hi3 {
            i = __v1;
            // line 8
            d = (a.at(i)? - b.at(i)?);
            // line 9
            s += (d * d);
        }
    } else {
        for __v1 in __lo2..__hi3 {
            __ticks.tick()?;
            i = __v1;
            // line 8
            d = (a.at(i)? - b.at(i)?);
            // line 9
            s += (d * d);
        }
    }
    // line 10
    return Ok(rt::sqrt(s)?);
    Err(rt::Deopt) // not reached: Python returns above
}
