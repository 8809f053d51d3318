// line 11: def count_pairs
fn count_pairs(tokens: &Vec<String>) -> rt::R<IndexMap<(String, String), i64>> {
    let mut pairs: IndexMap<(String, String), i64> = IndexMap::new();
    let mut i: i64 = 0;
    let mut vp_3: (String, String) = (String::new(), String::new());
    // line 12
    pairs = IndexMap::<(String, String), i64>::new();
    // line 13
    for __v1 in 0..rt::sub_i((tokens.len() as i64), 1)? {
        i = __v1;
        // line 14
        vp_3 = ((rt::get(&*tokens, i)?).clone(), (rt::get(&*tokens, rt::add_i(i, 1)?)?).clone());
        // line 15
        if (&pairs).contains_key(&vp_3) {
            // line 16
            let __w2 = 1;
            let __p3 = { let __k4 = vp_3.clone(); rt::dget_mut(&mut pairs, &__k4)? };
            *__p3 = rt::add_i(*__p3, __w2)?;
        } else {
            // line 18
            let __e5 = 1;
            let __w6 = __e5;
            let __k7 = vp_3.clone();
            (&mut pairs).insert(__k7, __w6);
        }
    }
    // line 19
    return Ok(pairs);
    Err(rt::Deopt) // not reached: Python returns above
}
