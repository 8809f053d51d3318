// line 176: def kinds
fn kinds(src: &String) -> rt::R<rt::PyOut<rt::Obj>> {
    let mut __ticks = rt::Ticks::new();
    let __sx1 = rt::StrIx::new(src.as_str());
    let mut out = rt::PyOut::<rt::Obj>::new();
    let mut i: i64 = 0;
    let mut c: String = String::new();
    let mut j: i64 = 0;
    // line 177
    out = rt::PyOut::new();
    // line 178
    i = 0;
    // line 179
    while (i < __sx1.len()) {
        __ticks.tick()?;
        // line 180
        let __k2 = i;
        __sx1.get_into(&mut c, __k2)?;
        // line 181
        if rt::isdigit(&c)? {
            // line 182
            j = i;
            // line 183
            while ((j < __sx1.len()) && rt::c_isdigit(__sx1.at(j)?)) {
                __ticks.tick()?;
                // line 184
                j = rt::add_i(j, 1)?;
            }
            // line 185
            { let __a3 = rt::tuple_of([rt::lit(&__L0, "number")?, __sx1.slice_obj(Some(i), Some(j), None)?, ])?; out.push(__a3)? };
            // line 186
            i = j;
        } else {
            // line 187
            if ((&c).as_str() == " ") {
                // line 188
                i = rt::add_i(i, 1)?;
            } else {
                // line 190
                { let __a4 = rt::tuple_of([(if (match (&c).as_str() { __n => { let mut __i = __n.chars(); match (__i.next(), __i.next()) { (Some(__c), None) => matches!(__c, '\u{2b}' | '\u{2d}' | '\u{2a}' | '\u{2f}'), _ => "+-*/".contains(__n) } } }) { rt::lit(&__L1, "op")? } else { rt::lit(&__L2, "other char")? }), rt::obj_str((&c).as_str())?, ])?; out.push(__a4)? };
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
