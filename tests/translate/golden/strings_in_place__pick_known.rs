// line 237: def pick_known
fn pick_known<V0: rt::View<String> + rt::StrView>(words: &V0, table: &IndexMap<String, i64>) -> rt::R<rt::PyOut<rt::Obj>> {
    let mut __ticks = rt::Ticks::new();
    let mut out = rt::PyOut::<rt::Obj>::new();
    let mut w = rt::SRef::EMPTY;
    // line 240
    out = rt::PyOut::new();
    // line 241
    let mut __i2 = 0usize;
    while __i2 < words.len() {
        let __v1 = words.at_sref_k(__i2)?;
        __i2 += 1;
        __ticks.tick()?;
        w = __v1;
        // line 242
        if ((((&*table).contains_key(w.as_str()) && (*rt::dget(&*table, w.as_str())? > 0)) || (w.as_str() == "always")) || matches!(w.as_str(), "x" | "é")) {
            // line 243
            { let __a3 = w.obj()?; out.push(__a3)? };
        } else {
            // line 244
            if (((rt::slen(w.as_str()) > 3) && (rt::dget_or(&*table, w.as_str(), (-1)) < 0)) && !(&*table).contains_key(w.as_str())) {
                // line 245
                { let __a4 = w.obj()?; out.push(__a4)? };
            }
        }
    }
    // line 246
    return Ok(out);
    Err(rt::Deopt) // not reached: Python returns above
}
