// line 19: def scan
fn scan(src: &rt::StrIx<'_>) -> rt::R<rt::PyOut<rt::Obj>> {
    let mut __ticks = rt::Ticks::new();
    let mut toks = rt::PyOut::<rt::Obj>::new();
    let mut i: i64 = 0;
    let mut n: i64 = 0;
    let mut c: char = '\0';
    let mut j: i64 = 0;
    let mut word = rt::Span::default();
    // line 21
    toks = rt::PyOut::new();
    // line 22
    i = 0;
    // line 23
    n = src.len();
    // line 24
    while (i < n) {
        __ticks.tick()?;
        // line 25
        let __k1 = i;
        c = src.at(__k1)?;
        // line 26
        if rt::c_isspace(c) {
            // line 27
            i = rt::add_i(i, 1)?;
        } else {
            // line 28
            if (rt::c_isalpha(c) || matches!(c, '\u{5f}')) {
                // line 29
                j = rt::add_i(i, 1)?;
                // line 30
                while ((j < n) && (rt::c_isalnum(src.at(j)?) || (src.at(j)? == '\u{5f}'))) {
                    __ticks.tick()?;
                    // line 31
                    j = rt::add_i(j, 1)?;
                }
                // line 32
                word = src.span(Some(i), Some(j))?;
                // line 33
                { let __a2 = rt::tuple_of([(if src.span_in(word, &["if", "else", "while", "return", "let", "fn", "für"]) { rt::lit(&__L0, "kw")? } else { rt::lit(&__L1, "name")? }), src.span_obj(word)?, ])?; toks.push(__a2)? };
                // line 34
                i = j;
            } else {
                // line 35
                if rt::c_isdigit(c) {
                    // line 36
                    j = rt::add_i(i, 1)?;
                    // line 37
                    while ((j < n) && rt::c_isdigit(src.at(j)?)) {
                        __ticks.tick()?;
                        // line 38
                        j = rt::add_i(j, 1)?;
                    }
                    // line 39
                    { let __a3 = rt::tuple_of([rt::lit(&__L2, "num")?, src.slice_obj(Some(i), Some(j), None)?, ])?; toks.push(__a3)? };
                    // line 40
                    i = j;
                } else {
                    // line 41
                    if src.slice_in(Some(i), Some(rt::add_i(i, 2)?), &["==", "->", "≤=", "😀!"])? {
                        // line 42
                        { let __a4 = rt::tuple_of([rt::lit(&__L3, "op2")?, src.slice_obj(Some(i), Some(rt::add_i(i, 2)?), None)?, ])?; toks.push(__a4)? };
                        // line 43
                        i = rt::add_i(i, 2)?;
                    } else {
                        // line 44
                        if matches!(c, '\u{2b}' | '\u{2d}' | '\u{2a}' | '\u{2f}' | '\u{b7}' | '\u{20ac}') {
                            // line 45
                            { let __a5 = rt::tuple_of([rt::lit(&__L4, "op")?, rt::obj_char(c)?, ])?; toks.push(__a5)? };
                            // line 46
                            i = rt::add_i(i, 1)?;
                        } else {
                            // line 48
                            { let __a6 = rt::tuple_of([rt::lit(&__L5, "other")?, rt::obj_char(c)?, ])?; toks.push(__a6)? };
                            // line 49
                            i = rt::add_i(i, 1)?;
                        }
                    }
                }
            }
        }
    }
    // line 50
    return Ok(toks);
    static __L0: rt::LitStr = rt::LitStr::new();
    static __L1: rt::LitStr = rt::LitStr::new();
    static __L2: rt::LitStr = rt::LitStr::new();
    static __L3: rt::LitStr = rt::LitStr::new();
    static __L4: rt::LitStr = rt::LitStr::new();
    static __L5: rt::LitStr = rt::LitStr::new();
    Err(rt::Deopt) // not reached: Python returns above
}
