// line 110: def csv_split
fn csv_split(line: &rt::StrIx<'_>, sep: &String) -> rt::R<rt::PyOut<rt::Obj>> {
    let mut __ticks = rt::Ticks::new();
    let mut fields = rt::PyOut::<rt::Obj>::new();
    let mut field: String = String::new();
    let mut in_quotes: bool = false;
    let mut i: i64 = 0;
    let mut n: i64 = 0;
    let mut c: String = String::new();
    // line 111
    fields = rt::PyOut::new();
    // line 112
    rt::set_str(&mut field, "");
    // line 113
    in_quotes = false;
    // line 114
    i = 0;
    // line 115
    n = line.len();
    // line 116
    while (i < n) {
        __ticks.tick()?;
        // line 117
        let __k1 = i;
        line.get_into(&mut c, __k1)?;
        // line 118
        if in_quotes {
            // line 119
            if ((&c).as_str() == "\"") {
                // line 120
                if ((rt::add_i(i, 1)? < n) && (line.at(rt::add_i(i, 1)?)? == '\u{22}')) {
                    // line 121
                    field.push_str("\"");
                    // line 122
                    i = rt::add_i(i, 1)?;
                } else {
                    // line 124
                    in_quotes = false;
                }
            } else {
                // line 126
                field.push_str((&c).as_str());
            }
        } else {
            // line 127
            if ((&c).as_str() == "\"") {
                // line 128
                in_quotes = true;
            } else {
                // line 129
                if ((&c).as_str() == (&*sep).as_str()) {
                    // line 130
                    { let __a2 = rt::obj_str((&field).as_str())?; fields.push(__a2)? };
                    // line 131
                    rt::set_str(&mut field, "");
                } else {
                    // line 133
                    field.push_str((&c).as_str());
                }
            }
        }
        // line 134
        i = rt::add_i(i, 1)?;
    }
    // line 135
    { let __a3 = rt::obj_str((&field).as_str())?; fields.push(__a3)? };
    // line 136
    return Ok(fields);
    Err(rt::Deopt) // not reached: Python returns above
}
