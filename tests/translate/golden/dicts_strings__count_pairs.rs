// line 11: def count_pairs
fn count_pairs<V0: rt::View<String> + rt::StrView>(tokens: &V0) -> rt::R<IndexMap<(String, String), i64>> {
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
            let __t0: &str = rt::StrView::at_str(tokens, i)?;
            let __t1: &str = rt::StrView::at_str(tokens, rt::add_i(i, 1)?)?;
            rt::set_str(&mut vp_3.0, __t0);
            rt::set_str(&mut vp_3.1, __t1);
            // line 15
            let __ix4: Option<usize> = (&pairs).get_index_of(&vp_3);
            if __ix4.is_some() {
                // line 16
                let __w5 = 1;
                let __p6 = rt::ix_mut(&mut pairs, __ix4);
                *__p6 = rt::add_i(*__p6, __w5)?;
            } else {
                // line 18
                let __e7 = 1;
                let __w8 = __e7;
                let __k9 = &vp_3;
                rt::dset(&mut pairs, __k9, __w8);
            }
        }
    } else {
        for __v1 in __lo2..__hi3 {
            __ticks.tick()?;
            i = __v1;
            // line 14
            let __t0: &str = rt::StrView::at_str(tokens, i)?;
            let __t1: &str = rt::StrView::at_str(tokens, rt::add_i(i, 1)?)?;
            rt::set_str(&mut vp_3.0, __t0);
            rt::set_str(&mut vp_3.1, __t1);
            // line 15
            let __ix4: Option<usize> = (&pairs).get_index_of(&vp_3);
            if __ix4.is_some() {
                // line 16
                let __w5 = 1;
                let __p6 = rt::ix_mut(&mut pairs, __ix4);
                *__p6 = rt::add_i(*__p6, __w5)?;
            } else {
                // line 18
                let __e7 = 1;
                let __w8 = __e7;
                let __k9 = &vp_3;
                rt::dset(&mut pairs, __k9, __w8);
            }
        }
    }
    // line 19
    return Ok(pairs);
    Err(rt::Deopt) // not reached: Python returns above
}
