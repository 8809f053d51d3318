// line 31: def gcd
fn gcd(mut a: i64, mut b: i64) -> rt::R<i64> {
    let mut __ticks = rt::Ticks::new();
    // line 32
    while (b != 0) {
        __ticks.tick()?;
        // line 33
        let __e1 = b;
        let __e2 = rt::mod_i(a, b)?;
        a = __e1;
        b = __e2;
    }
    // line 34
    return Ok(rt::abs_i(a)?);
    Err(rt::Deopt) // not reached: Python returns above
}
