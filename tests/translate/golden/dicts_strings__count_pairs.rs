// line 11: def count_pairs
fn count_pairs<V0: rt::View<String>>(tokens: &V0) -> rt::R<IndexMap<(String, String), i64>> {
    let mut __ticks = rt::Ticks::new();
    let mut pairs: IndexMap<(String, String), i64> = IndexMap::default();
    let mut i: i64 = 0;
    let mut vp_3: (String, String) = (String::new(), String::new());
    // line 12
    pairs = IndexMap::<(String, String), i64>::default();
    // line 13
    let __lo2: i64 = 0;
    let __hi3: i64 = rt::sub_i((tokens.len() as i64), 1)?;
    if __ticks.bulk(__lo2, __hi3)? {
        for __v1 in __lo2..__hi3 {
            i = __v1;
            // line 14
            vp_3 = (tokens.at(i)?, tokens.at(rt::add_i(i, 1)?)?);
            // line 15
            if (&pairs).contains_key(&vp_3) {
                // line 16
                let __w4 = 1;
                let __p5 = rt::dget_mut(&mut pairs, &vp_3)?;
                *__p5 = rt::add_i(*__p5, __w4)?;
            } else {
                // line 18
                let __e6 = 1;
                let __w7 = __e6;
                let __k8 = vp_3.clone();
                (&mut pairs).insert(__k8, __w7);
            }
        }
    } else {
        for __v1 in __lo2..__hi3 {
            __ticks.tick()?;
            i = __v1;
            // line 14
            vp_3 = (tokens.at(i)?, tokens.at(rt::add_i(i, 1)?)?);
            // line 15
            if (&pairs).contains_key(&vp_3) {
                // line 16
                let __w4 = 1;
                let __p5 = rt::dget_mut(&mut pairs, &vp_3)?;
                *__p5 = rt::add_i(*__p5, __w4)?;
            } else {
                // line 18
                let __e6 = 1;
                let __w7 = __e6;
                let __k8 = vp_3.clone();
                (&mut pairs).insert(__k8, __w7);
            }
        }
    }
    // line 19
    return Ok(pairs);
    Err(rt::Deopt) // not reached: Python returns above
}
