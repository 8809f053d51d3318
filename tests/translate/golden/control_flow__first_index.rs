// line 17: def first_index
fn first_index<V0: rt::View<i64>>(xs: &V0, target: i64) -> rt::R<i64> {
    let mut __ticks = rt::Ticks::new();
    let mut i: i64 = 0;
    let mut x: i64 = 0;
    // line 18
    let mut __broke1 = false;
    let mut __n3: i64 = 0;
    let mut __i4 = 0usize;
    while __i4 < xs.len() {
        let __v2 = xs.at_k(__i4)?;
        __i4 += 1;
        let __v5 = (__n3, __v2);
        __n3 += 1;
        __ticks.tick()?;
        let __u6 = __v5;
        i = __u6.0;
        x = __u6.1;
        // line 19
        if (x == target) {
            __broke1 = true;
            break;
        }
    }
    if !__broke1 {
        // line 22
        return Ok((-1));
    }
    // line 23
    return Ok(i);
    Err(rt::Deopt) // not reached: Python returns above
}
