// line 31: def mixed
fn mixed<V0: rt::View<f64>>(xs: &V0, k: i64) -> rt::R<rt::Num> {
    let mut __ticks = rt::Ticks::new();
    let mut acc: rt::Num = rt::Num::I(0);
    let mut x: f64 = 0.0;
    // line 32
    acc = rt::Num::I(k);
    // line 33
    let mut __i2 = 0usize;
    while __i2 < xs.len() {
        let __v1 = xs.at_k(__i2)?;
        __i2 += 1;
        __ticks.tick()?;
        x = __v1;
        // line 34
        acc = rt::num_add(acc, rt::Num::I(1))?;
        // line 35
        acc = rt::num_mul(acc, rt::Num::I(2))?;
        // line 36
        acc = rt::Num::F(((acc).f() - x));
    }
    // line 37
    return Ok(acc);
    Err(rt::Deopt) // not reached: Python returns above
}
