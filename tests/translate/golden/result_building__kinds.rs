// line 176: def kinds
fn kinds(src: &rt::StrIx<'_>) -> rt::R<rt::PyOut<rt::Obj>> {
    let mut __ticks = rt::Ticks::new();
    let mut out = rt::PyOut::<rt::Obj>::new();
    let mut i: i64 = 0;
    let mut c: char = '\0';
    let mut j: i64 = 0;
    // line 177
    out = rt::PyOut::new();
    // line 178
    i = 0;
    // line 179
    while (i < src.len()) {
        __ticks.tick()?;
        // line 180
        let __k1 = i;
        c = src.at(__k1)?;
        // line 181
        if rt::c_isdigit(c) {
            // line 182
            j = i;
            // line 183
            while ((j < src.len()) && rt::c_isdigit(src.at(j)?)) {
                __ticks.tick()?;
                // line 184
                j = rt::add_i(j, 1)?;
            }
            // line 185
            { let __a2 = rt::tuple_of([rt::lit(&__L0, "number")?, src.slice_obj(Some(i), Some(j), None)?, ])?; out.push(__a2)? };
            // line 186
            i = j;
        } else {
            // line 187
            if matches!(c, '\u{20}') {
                // line 188
                i = rt::add_i(i, 1)?;
            } else {
                // line 190
                { let __a3 = rt::tuple_of([(if matches!(c, '\u{2b}' | '\u{2d}' | '\u{2a}' | '\u{2f}') { rt::lit(&__L1, "op")? } else { rt::lit(&__L2, "other char")? }), rt::obj_char(c)?, ])?; out.push(__a3)? };
                // line 191
                i = rt::add_i(i, 1)?;
            }
        }
    }
    // line 192
    return Ok(out);
    static __L0: rt::LitStr = rt::LitStr::new();
    static __L1: rt::LitStr = rt::LitStr::new();
    static __L2: rt::LitStr = rt::LitStr::new();
    Err(rt::Deopt) // not reached: Python returns above
}
