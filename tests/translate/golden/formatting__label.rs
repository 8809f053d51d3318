// line 66: def label
fn label(name: &String, score: f64, rank: i64) -> rt::R<String> {
    // line 67
    return Ok({ let mut __s1 = String::new(); rt::fmt_i(&mut __s1, rank, &rt::Spec { fill: '\u{20}', align: b'>', sign: 0, width: 3, group: 0, prec: -1, ty: 0 }); __s1.push_str(". "); rt::fmt_s(&mut __s1, (&*name).as_str(), &rt::Spec { fill: '\u{20}', align: b'<', sign: 0, width: 10, group: 0, prec: -1, ty: 0 }); __s1.push_str(" "); rt::fmt_f(&mut __s1, score, &rt::Spec { fill: '\u{20}', align: 0, sign: 0, width: 8, group: 0, prec: 2, ty: b'f' }); __s1.push_str(" ("); __s1.push_str((&(if (score > 0.0) { String::from("ok") } else { String::from("low") })).as_str()); __s1.push_str(")"); __s1 });
    Err(rt::Deopt) // not reached: Python returns above
}
