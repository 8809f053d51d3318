// line 68: def last_word
fn last_word<V0: rt::View<String> + rt::StrView>(words: &V0) -> rt::R<String> {
    let mut __ticks = rt::Ticks::new();
    let mut best: Option<String> = None;
    let mut w: String = String::new();
    // line 69
    best = None;
    // line 70
    let mut __i2 = 0usize;
    while __i2 < words.len() {
        let __v1 = words.at_k(__i2)?;
        __i2 += 1;
        __ticks.tick()?;
        w = __v1;
        // line 71
        if ((&best).is_none() || (rt::slen(&w) >= rt::slen(best.as_ref().ok_or(rt::Deopt)?))) {
            // line 72
            best = Some(w.clone());
        }
    }
    // line 73
    if (&best).is_none() {
        // line 74
        return Ok(String::from(""));
    }
    // line 75
    return Ok(rt::cat((best.as_ref().ok_or(rt::Deopt)?).as_str(), "!"));
    Err(rt::Deopt) // not reached: Python returns above
}
