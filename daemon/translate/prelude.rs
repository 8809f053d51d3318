/// rustify runtime: Python's rules for the operations the translated
/// functions use. Every helper either returns Python's exact answer or
/// Err(Deopt), after which the entry point re-runs the original Python
/// function on the untouched arguments.
#[allow(dead_code)]
pub mod rt {
    use indexmap::IndexSet;
    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::types::{PyDict, PyTuple};
    use pyo3::IntoPyObjectExt;
    use std::hash::{BuildHasher, Hash, Hasher};

    // ---- dict hashing: the order is insertion order whatever the hash,
    // so a fast multiplicative hash (FxHash's, seeded once per process)
    // replaces SipHash; it changes speed only, never results ----
    pub type IndexMap<K, V> = indexmap::IndexMap<K, V, FastHash>;
    #[derive(Clone, Copy)]
    pub struct FastHash(u64);
    impl Default for FastHash {
        fn default() -> Self {
            static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
            FastHash(*SEED.get_or_init(|| std::collections::hash_map::RandomState::new().build_hasher().finish()))
        }
    }
    impl BuildHasher for FastHash {
        type Hasher = Fx;
        #[inline] fn build_hasher(&self) -> Fx { Fx(self.0) }
    }
    pub struct Fx(u64);
    impl Fx {
        #[inline(always)]
        fn add(&mut self, w: u64) { self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0xf135_7aea_2e62_a9c5); }
    }
    impl Hasher for Fx {
        #[inline]
        fn write(&mut self, bytes: &[u8]) {
            let mut c = bytes.chunks_exact(8);
            for w in &mut c { self.add(u64::from_le_bytes(w.try_into().unwrap())); }
            // the 0..7 bytes left, read in place (a copy to the stack
            // would stall the load that follows it)
            let r = c.remainder();
            let n = r.len();
            let v = if n >= 4 {
                (u32::from_le_bytes([r[0], r[1], r[2], r[3]]) as u64)
                    | ((u32::from_le_bytes([r[n - 4], r[n - 3], r[n - 2], r[n - 1]]) as u64) << 32)
            } else if n > 0 {
                (r[0] as u64) | ((r[n / 2] as u64) << 8) | ((r[n - 1] as u64) << 16)
            } else {
                0
            };
            self.add(v ^ ((n as u64) << 56));
        }
        #[inline] fn write_u8(&mut self, i: u8) { self.add(i as u64); }
        #[inline] fn write_u32(&mut self, i: u32) { self.add(i as u64); }
        #[inline] fn write_u64(&mut self, i: u64) { self.add(i); }
        #[inline] fn write_usize(&mut self, i: usize) { self.add(i as u64); }
        #[inline] fn finish(&self) -> u64 { self.0.rotate_left(26) }
    }

    #[derive(Debug)]
    pub struct Deopt;
    pub type R<T> = Result<T, Deopt>;

    /// Element type of a list only ever seen empty.
    #[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
    pub enum Never {}

    // ---- int: i64 with checked arithmetic (overflow: Python's big int) ----
    #[inline] pub fn add_i(a: i64, b: i64) -> R<i64> { a.checked_add(b).ok_or(Deopt) }
    #[inline] pub fn sub_i(a: i64, b: i64) -> R<i64> { a.checked_sub(b).ok_or(Deopt) }
    #[inline] pub fn mul_i(a: i64, b: i64) -> R<i64> { a.checked_mul(b).ok_or(Deopt) }
    #[inline] pub fn neg_i(a: i64) -> R<i64> { a.checked_neg().ok_or(Deopt) }
    #[inline] pub fn abs_i(a: i64) -> R<i64> { a.checked_abs().ok_or(Deopt) }
    #[inline]
    pub fn floordiv_i(a: i64, b: i64) -> R<i64> {
        if b == 0 { return Err(Deopt); }
        let q = a.checked_div(b).ok_or(Deopt)?;
        if a % b != 0 && ((a < 0) != (b < 0)) { Ok(q - 1) } else { Ok(q) }
    }
    #[inline]
    pub fn mod_i(a: i64, b: i64) -> R<i64> {
        if b == 0 { return Err(Deopt); }
        if b == -1 { return Ok(0); }
        let r = a % b;
        if r != 0 && ((r < 0) != (b < 0)) { Ok(r + b) } else { Ok(r) }
    }
    pub fn pow_i(a: i64, b: i64) -> R<i64> {
        if b < 0 { return Err(Deopt); }
        if b > u32::MAX as i64 {
            return match a { 0 | 1 => Ok(a), -1 => Ok(if b % 2 == 0 { 1 } else { -1 }), _ => Err(Deopt) };
        }
        a.checked_pow(b as u32).ok_or(Deopt)
    }
    pub fn shl_i(a: i64, b: i64) -> R<i64> {
        if b < 0 { return Err(Deopt); }
        if a == 0 { return Ok(0); }
        if b >= 63 { return Err(Deopt); }
        let r = a << b;
        if (r >> b) != a { Err(Deopt) } else { Ok(r) }
    }
    pub fn shr_i(a: i64, b: i64) -> R<i64> {
        if b < 0 { return Err(Deopt); }
        if b >= 63 { return Ok(if a < 0 { -1 } else { 0 }); }
        Ok(a >> b)
    }
    const EXACT: u64 = 1 << 53;
    /// int / int: correctly rounded when both are exact doubles.
    #[inline]
    pub fn truediv_i(a: i64, b: i64) -> R<f64> {
        if b == 0 { return Err(Deopt); }
        if a.unsigned_abs() <= EXACT && b.unsigned_abs() <= EXACT { Ok(a as f64 / b as f64) } else { Err(Deopt) }
    }
    /// An int compared with a float: exact only up to 2**53.
    #[inline]
    pub fn exact_f(a: i64) -> R<f64> {
        if a.unsigned_abs() <= EXACT { Ok(a as f64) } else { Err(Deopt) }
    }
    pub fn to_i64(f: f64) -> R<i64> {
        if f >= -9.223372036854775808e18 && f < 9.223372036854775808e18 { Ok(f as i64) } else { Err(Deopt) }
    }

    // ---- int | float: a variable that is an int until a float is stored ----
    #[derive(Debug, Clone, Copy)]
    pub enum Num { I(i64), F(f64) }
    impl Num {
        /// Python's float(int) for int op float: round to nearest even, as `as`.
        #[inline] pub fn f(self) -> f64 { match self { Num::I(i) => i as f64, Num::F(x) => x } }
    }
    impl Default for Num { fn default() -> Self { Num::I(0) } }
    #[inline]
    pub fn num_add(a: Num, b: Num) -> R<Num> {
        match (a, b) { (Num::I(x), Num::I(y)) => Ok(Num::I(add_i(x, y)?)), _ => Ok(Num::F(a.f() + b.f())) }
    }
    #[inline]
    pub fn num_sub(a: Num, b: Num) -> R<Num> {
        match (a, b) { (Num::I(x), Num::I(y)) => Ok(Num::I(sub_i(x, y)?)), _ => Ok(Num::F(a.f() - b.f())) }
    }
    #[inline]
    pub fn num_mul(a: Num, b: Num) -> R<Num> {
        match (a, b) { (Num::I(x), Num::I(y)) => Ok(Num::I(mul_i(x, y)?)), _ => Ok(Num::F(a.f() * b.f())) }
    }
    #[inline]
    pub fn num_div(a: Num, b: Num) -> R<f64> {
        match (a, b) { (Num::I(x), Num::I(y)) => truediv_i(x, y), _ => div_f(a.f(), b.f()) }
    }
    impl<'py> IntoPyObject<'py> for Num {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;
        fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
            match self { Num::I(i) => i.into_bound_py_any(py), Num::F(x) => x.into_bound_py_any(py) }
        }
    }

    // ---- float: CPython's floatobject.c rules ----
    #[inline]
    pub fn div_f(a: f64, b: f64) -> R<f64> { if b == 0.0 { Err(Deopt) } else { Ok(a / b) } }
    pub fn mod_f(vx: f64, wx: f64) -> R<f64> {
        if wx == 0.0 { return Err(Deopt); }
        let mut m = vx % wx;
        if m != 0.0 {
            if (wx < 0.0) != (m < 0.0) { m += wx; }
        } else {
            m = 0.0f64.copysign(wx);
        }
        Ok(m)
    }
    pub fn floordiv_f(vx: f64, wx: f64) -> R<f64> {
        if wx == 0.0 { return Err(Deopt); }
        let m = vx % wx;
        let mut div = (vx - m) / wx;
        if m != 0.0 && ((wx < 0.0) != (m < 0.0)) { div -= 1.0; }
        if div != 0.0 {
            let mut fd = div.floor();
            if div - fd > 0.5 { fd += 1.0; }
            Ok(fd)
        } else {
            Ok(0.0f64.copysign(vx / wx))
        }
    }
    fn is_odd_int(x: f64) -> bool { (x.abs() % 2.0) == 1.0 }
    pub fn pow_f(iv: f64, iw: f64) -> R<f64> {
        if iw == 0.0 { return Ok(1.0); }
        if iv.is_nan() { return Ok(iv); }
        if iw.is_nan() { return Ok(if iv == 1.0 { 1.0 } else { iw }); }
        if iw.is_infinite() {
            let a = iv.abs();
            return Ok(if a == 1.0 { 1.0 } else if (iw > 0.0) == (a > 1.0) { iw.abs() } else { 0.0 });
        }
        let odd = is_odd_int(iw);
        if iv.is_infinite() {
            return Ok(if iw > 0.0 { if odd { iv } else { iv.abs() } } else if odd { 0.0f64.copysign(iv) } else { 0.0 });
        }
        if iv == 0.0 {
            if iw < 0.0 { return Err(Deopt); }
            return Ok(if odd { iv } else { 0.0 });
        }
        let mut v = iv;
        let mut neg = false;
        if v < 0.0 {
            if iw != iw.floor() { return Err(Deopt); } // complex result
            v = -v;
            neg = odd;
        }
        if v == 1.0 { return Ok(if neg { -1.0 } else { 1.0 }); }
        let r = v.powf(iw);
        if r.is_infinite() { return Err(Deopt); } // OverflowError
        Ok(if neg { -r } else { r })
    }

    // ---- math module: math_1's domain and range checks ----
    #[inline]
    pub fn math1(x: f64, r: f64) -> R<f64> {
        if r.is_nan() && !x.is_nan() { return Err(Deopt); }
        if r.is_infinite() && x.is_finite() { return Err(Deopt); }
        Ok(r)
    }
    pub fn sqrt(x: f64) -> R<f64> { math1(x, x.sqrt()) }
    pub fn exp(x: f64) -> R<f64> { math1(x, x.exp()) }
    pub fn log(x: f64) -> R<f64> { math1(x, x.ln()) }
    pub fn log2(x: f64) -> R<f64> { math1(x, x.log2()) }
    pub fn log10(x: f64) -> R<f64> { math1(x, x.log10()) }
    pub fn log_base(x: f64, b: f64) -> R<f64> { div_f(log(x)?, log(b)?) }
    pub fn floor(x: f64) -> R<i64> { if x.is_nan() { Err(Deopt) } else { to_i64(x.floor()) } }
    pub fn ceil(x: f64) -> R<i64> { if x.is_nan() { Err(Deopt) } else { to_i64(x.ceil()) } }
    pub fn trunc(x: f64) -> R<i64> { if x.is_nan() { Err(Deopt) } else { to_i64(x.trunc()) } }
    pub fn round_f(x: f64) -> R<i64> { if x.is_nan() { Err(Deopt) } else { to_i64(x.round_ties_even()) } }
    pub fn fmod(x: f64, y: f64) -> R<f64> {
        if y.is_infinite() && x.is_finite() { return Ok(x); }
        let r = x % y;
        if r.is_nan() && !x.is_nan() && !y.is_nan() { return Err(Deopt); }
        Ok(r)
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        use std::f64::consts::PI;
        if x.is_nan() || y.is_nan() { return f64::NAN; }
        if y.is_infinite() {
            if x.is_infinite() {
                return if 1.0f64.copysign(x) == 1.0 { (0.25 * PI).copysign(y) } else { (0.75 * PI).copysign(y) };
            }
            return (0.5 * PI).copysign(y);
        }
        if x.is_infinite() || y == 0.0 {
            return if 1.0f64.copysign(x) == 1.0 { 0.0f64.copysign(y) } else { PI.copysign(y) };
        }
        y.atan2(x)
    }

    // ---- min / max: CPython keeps the first of equals, compares with < / > ----
    #[inline] pub fn min2<T: PartialOrd>(a: T, b: T) -> T { if b < a { b } else { a } }
    #[inline] pub fn max2<T: PartialOrd>(a: T, b: T) -> T { if b > a { b } else { a } }
    pub fn min_of<T: PartialOrd + Clone>(v: &[T]) -> R<T> {
        let mut it = v.iter();
        let mut best = it.next().ok_or(Deopt)?;
        for x in it { if *x < *best { best = x; } }
        Ok(best.clone())
    }
    pub fn max_of<T: PartialOrd + Clone>(v: &[T]) -> R<T> {
        let mut it = v.iter();
        let mut best = it.next().ok_or(Deopt)?;
        for x in it { if *x > *best { best = x; } }
        Ok(best.clone())
    }

    // ---- sum ----
    pub fn sum_i(v: &[i64]) -> R<i64> {
        let mut s: i64 = 0;
        for &x in v { s = s.checked_add(x).ok_or(Deopt)?; }
        Ok(s)
    }
    pub fn sum_b(v: &[bool]) -> i64 { v.iter().filter(|b| **b).count() as i64 }
    /// Python < 3.12: left to right from int 0 (empty: the int 0, so re-run).
    pub fn sum_f(v: &[f64]) -> R<f64> {
        if v.is_empty() { return Err(Deopt); }
        let mut s = 0.0f64;
        for &x in v { s += x; }
        Ok(s)
    }
    pub fn sum_fs(v: &[f64], start: f64) -> f64 {
        let mut s = start;
        for &x in v { s += x; }
        s
    }
    /// Python >= 3.12: Neumaier compensated summation.
    fn neumaier(mut s: f64, v: &[f64]) -> f64 {
        let mut c = 0.0f64;
        for &x in v {
            let t = s + x;
            if s.abs() >= x.abs() { c += (s - t) + x; } else { c += (x - t) + s; }
            s = t;
        }
        if c != 0.0 && c.is_finite() { s += c; }
        s
    }
    pub fn sum_f12(v: &[f64]) -> R<f64> {
        if v.is_empty() { return Err(Deopt); }
        Ok(neumaier(0.0 + v[0], &v[1..]))
    }
    pub fn sum_fs12(v: &[f64], start: f64) -> f64 { neumaier(start, v) }

    // ---- equality with Python's identity shortcut: NaN inside containers re-runs ----
    pub trait Nan { fn has_nan(&self) -> bool; }
    impl Nan for f64 { fn has_nan(&self) -> bool { self.is_nan() } }
    impl Nan for i64 { fn has_nan(&self) -> bool { false } }
    impl Nan for bool { fn has_nan(&self) -> bool { false } }
    impl Nan for String { fn has_nan(&self) -> bool { false } }
    impl Nan for () { fn has_nan(&self) -> bool { false } }
    impl Nan for Never { fn has_nan(&self) -> bool { false } }
    impl<T: Nan> Nan for Vec<T> { fn has_nan(&self) -> bool { self.iter().any(|x| x.has_nan()) } }
    impl<K, V: Nan> Nan for IndexMap<K, V> { fn has_nan(&self) -> bool { self.values().any(|x| x.has_nan()) } }
    impl<K> Nan for IndexSet<K> { fn has_nan(&self) -> bool { false } }
    macro_rules! nan_tuple {
        ($($n:tt $t:ident),+) => {
            impl<$($t: Nan),+> Nan for ($($t,)+) { fn has_nan(&self) -> bool { false $(|| self.$n.has_nan())+ } }
        };
    }
    nan_tuple!(0 A);
    nan_tuple!(0 A, 1 B);
    nan_tuple!(0 A, 1 B, 2 C);
    nan_tuple!(0 A, 1 B, 2 C, 3 D);
    nan_tuple!(0 A, 1 B, 2 C, 3 D, 4 E);
    nan_tuple!(0 A, 1 B, 2 C, 3 D, 4 E, 5 F);

    pub fn peq<T: PartialEq + Nan>(a: &T, b: &T) -> R<bool> {
        if a.has_nan() || b.has_nan() { return Err(Deopt); }
        Ok(a == b)
    }
    pub fn plt<T: PartialOrd + Nan>(a: &T, b: &T) -> R<bool> {
        if a.has_nan() || b.has_nan() { return Err(Deopt); }
        Ok(a < b)
    }
    pub fn ple<T: PartialOrd + Nan>(a: &T, b: &T) -> R<bool> {
        if a.has_nan() || b.has_nan() { return Err(Deopt); }
        Ok(a <= b)
    }
    pub fn contains<T: PartialEq + Nan>(v: &[T], x: &T) -> R<bool> {
        if x.has_nan() { return Err(Deopt); }
        for y in v {
            if y.has_nan() { return Err(Deopt); }
            if y == x { return Ok(true); }
        }
        Ok(false)
    }
    pub fn index_of<T: PartialEq + Nan>(v: &[T], x: &T) -> R<i64> {
        if x.has_nan() { return Err(Deopt); }
        for (i, y) in v.iter().enumerate() {
            if y.has_nan() { return Err(Deopt); }
            if y == x { return Ok(i as i64); }
        }
        Err(Deopt)
    }
    pub fn count_of<T: PartialEq + Nan>(v: &[T], x: &T) -> R<i64> {
        if x.has_nan() || v.has_nan_any() { return Err(Deopt); }
        Ok(v.iter().filter(|y| *y == x).count() as i64)
    }
    pub trait AnyNan { fn has_nan_any(&self) -> bool; }
    impl<T: Nan> AnyNan for [T] { fn has_nan_any(&self) -> bool { self.iter().any(|x| x.has_nan()) } }

    // ---- truthiness ----
    pub trait Truthy { fn truthy(&self) -> bool; }
    impl Truthy for f64 { fn truthy(&self) -> bool { *self != 0.0 } }
    impl Truthy for i64 { fn truthy(&self) -> bool { *self != 0 } }
    impl Truthy for Num { fn truthy(&self) -> bool { match self { Num::I(i) => *i != 0, Num::F(x) => *x != 0.0 } } }
    impl Truthy for bool { fn truthy(&self) -> bool { *self } }
    impl Truthy for String { fn truthy(&self) -> bool { !self.is_empty() } }
    impl Truthy for () { fn truthy(&self) -> bool { false } }
    impl<T> Truthy for Vec<T> { fn truthy(&self) -> bool { !self.is_empty() } }
    impl<K, V> Truthy for IndexMap<K, V> { fn truthy(&self) -> bool { !self.is_empty() } }
    impl<K> Truthy for IndexSet<K> { fn truthy(&self) -> bool { !self.is_empty() } }
    impl<T: Truthy> Truthy for Option<T> { fn truthy(&self) -> bool { match self { None => false, Some(v) => v.truthy() } } }
    impl<A> Truthy for (A,) { fn truthy(&self) -> bool { true } }
    impl<A, B> Truthy for (A, B) { fn truthy(&self) -> bool { true } }
    impl<A, B, C> Truthy for (A, B, C) { fn truthy(&self) -> bool { true } }
    impl<A, B, C, D> Truthy for (A, B, C, D) { fn truthy(&self) -> bool { true } }
    pub fn any<T: Truthy>(v: &[T]) -> bool { v.iter().any(|x| x.truthy()) }
    pub fn all<T: Truthy>(v: &[T]) -> bool { v.iter().all(|x| x.truthy()) }

    // ---- sequences ----
    #[inline]
    pub fn ix(len: usize, i: i64) -> R<usize> {
        let j = if i < 0 { i + len as i64 } else { i };
        if j < 0 || j >= len as i64 { Err(Deopt) } else { Ok(j as usize) }
    }
    #[inline] pub fn get<T>(v: &[T], i: i64) -> R<&T> { Ok(&v[ix(v.len(), i)?]) }
    #[inline] pub fn get_mut<T>(v: &mut [T], i: i64) -> R<&mut T> { let k = ix(v.len(), i)?; Ok(&mut v[k]) }
    /// PySlice_AdjustIndices: (start, stop, step, count).
    pub fn slice_indices(len: usize, lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<(i64, i64, i64, usize)> {
        let len = len as i64;
        let step = step.unwrap_or(1);
        if step == 0 { return Err(Deopt); }
        let fix = |v: Option<i64>, dflt: i64| -> i64 {
            match v {
                None => dflt,
                Some(mut x) => {
                    if x < 0 {
                        x += len;
                        if x < 0 { x = if step < 0 { -1 } else { 0 }; }
                    } else if x >= len {
                        x = if step < 0 { len - 1 } else { len };
                    }
                    x
                }
            }
        };
        let (start, stop) = if step > 0 { (fix(lo, 0), fix(hi, len)) } else { (fix(lo, len - 1), fix(hi, -1)) };
        let n = if step > 0 {
            if start < stop { ((stop - start - 1) / step + 1) as usize } else { 0 }
        } else if stop < start { ((start - stop - 1) / (-step) + 1) as usize } else { 0 };
        Ok((start, stop, step, n))
    }
    pub fn slice<T: Clone>(v: &[T], lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<Vec<T>> {
        let (start, _, step, n) = slice_indices(v.len(), lo, hi, step)?;
        if step == 1 { return Ok(v[start as usize..start as usize + n].to_vec()); }
        let mut out = Vec::with_capacity(n);
        let mut i = start;
        for _ in 0..n { out.push(v[i as usize].clone()); i += step; }
        Ok(out)
    }
    pub fn repeat<T: Clone>(v: &[T], n: i64) -> R<Vec<T>> {
        if n <= 0 || v.is_empty() { return Ok(Vec::new()); }
        let total = (v.len() as u64).checked_mul(n as u64).ok_or(Deopt)?;
        if total > (1u64 << 32) { return Err(Deopt); }
        let mut out = Vec::new();
        reserve(&mut out, total as usize)?;
        out.extend_from_slice(v);
        fill_doubling(&mut out, total as usize);
        Ok(out)
    }
    /// Grows v (one copy of the unit, room reserved) to total items by
    /// copying what is there already, doubling as CPython's repeat does:
    /// "ab" * 2**31 is 31 copies, not 2**31 (94 s against CPython's 9 s).
    pub fn fill_doubling<T: Clone>(v: &mut Vec<T>, total: usize) {
        while v.len() < total {
            let k = v.len().min(total - v.len());
            v.extend_from_within(..k);
        }
    }
    /// Room for n more items, or Err when the allocator refuses: the
    /// entry point then re-runs Python, which raises MemoryError itself
    /// (Rust's own allocation failure would abort the process).
    #[inline]
    pub fn reserve<T>(v: &mut Vec<T>, n: usize) -> R<()> { v.try_reserve_exact(n).map_err(|_| Deopt) }
    /// v.push(x), with an allocation failure as Err (see reserve).
    /// Growing is a separate cold call that takes x with it: were x live
    /// across the allocator call, the register allocator would keep the
    /// value (a float accumulator computed in the loop before the push)
    /// in memory for the whole loop; matmul went from 0.81 to 0.28 ms.
    #[inline(always)]
    pub fn push<T>(v: &mut Vec<T>, x: T) -> R<()> {
        if v.len() == v.capacity() { return push_grow(v, x); }
        v.push(x);
        Ok(())
    }
    #[cold]
    #[inline(never)]
    fn push_grow<T>(v: &mut Vec<T>, x: T) -> R<()> {
        v.try_reserve(1).map_err(|_| Deopt)?;
        v.push(x);
        Ok(())
    }
    pub fn lcat<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
        let mut out = Vec::with_capacity(a.len() + b.len());
        out.extend_from_slice(a);
        out.extend_from_slice(b);
        out
    }
    pub fn pop<T>(v: &mut Vec<T>) -> R<T> { v.pop().ok_or(Deopt) }
    pub fn pop_at<T>(v: &mut Vec<T>, i: i64) -> R<T> { let k = ix(v.len(), i)?; Ok(v.remove(k)) }
    pub fn insert<T>(v: &mut Vec<T>, i: i64, x: T) {
        let n = v.len() as i64;
        let mut k = i;
        if k < 0 { k += n; if k < 0 { k = 0; } } else if k > n { k = n; }
        v.insert(k as usize, x);
    }
    pub fn del_at<T>(v: &mut Vec<T>, i: i64) -> R<()> { let k = ix(v.len(), i)?; v.remove(k); Ok(()) }
    pub fn sort<T: PartialOrd + Nan>(v: &mut Vec<T>, reverse: bool) -> R<()> {
        if v.iter().any(|x| x.has_nan()) { return Err(Deopt); }
        if reverse {
            v.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
        } else {
            v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
        }
        Ok(())
    }
    pub fn sorted<T: PartialOrd + Nan + Clone>(v: &[T], reverse: bool) -> R<Vec<T>> {
        let mut out = v.to_vec();
        sort(&mut out, reverse)?;
        Ok(out)
    }
    /// sorted(s) of a set: its items are distinct and totally ordered
    /// (NaN re-runs Python), so the order they are taken in cannot show.
    pub fn sorted_set<T: PartialOrd + Nan + Clone>(s: &IndexSet<T>, reverse: bool) -> R<Vec<T>> {
        let mut out: Vec<T> = s.iter().cloned().collect();
        sort(&mut out, reverse)?;
        Ok(out)
    }

    /// range(start, stop, step) as an iterator (step 0: ValueError).
    pub struct Range { cur: i64, left: u64, step: i64 }
    impl Iterator for Range {
        type Item = i64;
        #[inline]
        fn next(&mut self) -> Option<i64> {
            if self.left == 0 { return None; }
            let v = self.cur;
            self.left -= 1;
            self.cur = self.cur.wrapping_add(self.step);
            Some(v)
        }
    }
    pub fn range(start: i64, stop: i64, step: i64) -> R<Range> {
        if step == 0 { return Err(Deopt); }
        let (s, e, st) = (start as i128, stop as i128, step as i128);
        let n = if st > 0 { if s < e { (e - s - 1) / st + 1 } else { 0 } } else if e < s { (s - e - 1) / (-st) + 1 } else { 0 };
        Ok(Range { cur: start, left: n as u64, step })
    }
    pub fn range_rev(start: i64, stop: i64, step: i64) -> R<Range> {
        let r = range(start, stop, step)?;
        if r.left == 0 { return Ok(r); }
        let last = (start as i128 + (r.left as i128 - 1) * step as i128) as i64;
        Ok(Range { cur: last, left: r.left, step: step.checked_neg().ok_or(Deopt)? })
    }
    pub fn range_vec(start: i64, stop: i64, step: i64) -> R<Vec<i64>> {
        let r = range(start, stop, step)?;
        if r.left > (1u64 << 32) { return Err(Deopt); }
        let mut out = Vec::new();
        reserve(&mut out, r.left as usize)?;
        out.extend(r);
        Ok(out)
    }

    // ---- dicts and sets (insertion ordered, as Python's) ----
    pub fn dget<'a, K: Hash + Eq, V, Q: ?Sized + Hash + indexmap::Equivalent<K>>(d: &'a IndexMap<K, V>, k: &Q) -> R<&'a V> { d.get(k).ok_or(Deopt) }
    pub fn dget_mut<'a, K: Hash + Eq, V>(d: &'a mut IndexMap<K, V>, k: &K) -> R<&'a mut V> { d.get_mut(k).ok_or(Deopt) }
    pub fn dget_or<K: Hash + Eq, V: Clone, Q: ?Sized + Hash + indexmap::Equivalent<K>>(d: &IndexMap<K, V>, k: &Q, dflt: V) -> V {
        match d.get(k) { Some(v) => v.clone(), None => dflt }
    }
    pub fn setdefault<K: Hash + Eq, V: Clone>(d: &mut IndexMap<K, V>, k: K, v: V) -> V { d.entry(k).or_insert(v).clone() }
    pub fn dpop<K: Hash + Eq, V>(d: &mut IndexMap<K, V>, k: &K) -> R<V> { d.shift_remove(k).ok_or(Deopt) }
    pub fn dpop_or<K: Hash + Eq, V>(d: &mut IndexMap<K, V>, k: &K, dflt: V) -> V { d.shift_remove(k).unwrap_or(dflt) }
    pub fn dict_from<K: Hash + Eq, V>(items: Vec<(K, V)>) -> IndexMap<K, V> {
        let mut d = IndexMap::with_capacity_and_hasher(items.len(), FastHash::default());
        for (k, v) in items { d.insert(k, v); }
        d
    }
    pub fn set_from<K: Hash + Eq>(items: Vec<K>) -> IndexSet<K> { items.into_iter().collect() }
    pub fn dkeys<K: Clone, V>(d: &IndexMap<K, V>) -> Vec<K> { d.keys().cloned().collect() }
    pub fn dvalues<K, V: Clone>(d: &IndexMap<K, V>) -> Vec<V> { d.values().cloned().collect() }
    pub fn ditems<K: Clone, V: Clone>(d: &IndexMap<K, V>) -> Vec<(K, V)> { d.iter().map(|(k, v)| (k.clone(), v.clone())).collect() }

    // ---- str: code point semantics; non-ASCII corner cases re-run ----
    pub fn slen(s: &str) -> i64 { if s.is_ascii() { s.len() as i64 } else { s.chars().count() as i64 } }
    pub fn sget(s: &str, i: i64) -> R<String> {
        if s.is_ascii() { let k = ix(s.len(), i)?; return Ok(s[k..k + 1].to_string()); }
        let cs: Vec<char> = s.chars().collect();
        Ok(cs[ix(cs.len(), i)?].to_string())
    }
    pub fn sget_into(out: &mut String, s: &str, i: i64) -> R<()> {
        let c = sget(s, i)?;
        out.clear();
        out.push_str(&c);
        Ok(())
    }
    /// The code points of a str that does not change, read where they
    /// are: a Python str argument in its own PEP 393 storage (1, 2 or 4
    /// bytes per code point; ASCII bytes are also UTF-8), a Rust str as
    /// its bytes when ASCII, else decoded once into code points.
    #[derive(Clone, Copy)]
    enum Units<'a> { Ascii(&'a [u8]), L1(&'a [u8]), U2(&'a [u16]), U4(&'a [u32]) }
    pub struct StrIx<'a> { u: Units<'a>, _own: Vec<u32> }
    /// A code point as a Rust char: a lone surrogate (a Python str may
    /// hold one, a Rust char may not) re-runs Python.
    #[inline(always)]
    fn cp_char(u: u32) -> R<char> { char::from_u32(u).ok_or(Deopt) }
    impl<'a> StrIx<'a> {
        pub fn new(s: &'a str) -> Self {
            if s.is_ascii() { return StrIx { u: Units::Ascii(s.as_bytes()), _own: Vec::new() }; }
            let own: Vec<u32> = s.chars().map(|c| c as u32).collect();
            // SAFETY: the slice points into `_own`'s heap buffer, which
            // lives (unmoved, unchanged) as long as the StrIx.
            let u = Units::U4(unsafe { std::slice::from_raw_parts(own.as_ptr(), own.len()) });
            StrIx { u, _own: own }
        }
        /// A str argument read in place (its storage, no copy); None
        /// for anything but an exact str, so the caller falls back.
        /// # Safety
        /// `o` must be a valid object pointer that outlives the StrIx,
        /// and the GIL held.
        pub unsafe fn from_obj(o: *mut ffi::PyObject) -> Option<StrIx<'a>> {
            if ffi::PyUnicode_CheckExact(o) == 0 { return None; }
            if ffi::PyUnicode_READY(o) != 0 { ffi::PyErr_Clear(); return None; }
            let n = ffi::PyUnicode_GET_LENGTH(o) as usize;
            let d = ffi::PyUnicode_DATA(o);
            let u = match ffi::PyUnicode_KIND(o) {
                1 if ffi::PyUnicode_IS_ASCII(o) != 0 => Units::Ascii(std::slice::from_raw_parts(d as *const u8, n)),
                1 => Units::L1(std::slice::from_raw_parts(d as *const u8, n)),
                2 => Units::U2(std::slice::from_raw_parts(d as *const u16, n)),
                _ => Units::U4(std::slice::from_raw_parts(d as *const u32, n)),
            };
            Some(StrIx { u, _own: Vec::new() })
        }
        /// One argument slot read in place (rt::arg for an in-place str).
        pub fn arg(slot: &'a Option<Bound<'_, PyAny>>) -> Option<StrIx<'a>> {
            match slot { Some(o) => unsafe { StrIx::from_obj(o.as_ptr()) }, None => None }
        }
        #[inline]
        fn n(&self) -> usize {
            match self.u { Units::Ascii(b) | Units::L1(b) => b.len(), Units::U2(w) => w.len(), Units::U4(c) => c.len() }
        }
        /// The code point at k (k < n).
        #[inline(always)]
        fn cp(&self, k: usize) -> u32 {
            match self.u { Units::Ascii(b) | Units::L1(b) => b[k] as u32, Units::U2(w) => w[k] as u32, Units::U4(c) => c[k] }
        }
        #[inline]
        pub fn len(&self) -> i64 { self.n() as i64 }
        /// How many code points (for c in s).
        #[inline]
        pub fn count(&self) -> usize { self.n() }
        /// The k-th code point, k < count() (for c in s).
        #[inline(always)]
        pub fn nth(&self, k: usize) -> R<char> {
            match self.u { Units::Ascii(b) | Units::L1(b) => Ok(b[k] as char), _ => cp_char(self.cp(k)) }
        }
        #[inline]
        pub fn at(&self, i: i64) -> R<char> {
            match self.u {
                Units::Ascii(b) => Ok(b[ix(b.len(), i)?] as char),
                Units::L1(b) => Ok(b[ix(b.len(), i)?] as char),
                Units::U2(w) => cp_char(w[ix(w.len(), i)?] as u32),
                Units::U4(c) => cp_char(c[ix(c.len(), i)?]),
            }
        }
        #[inline]
        pub fn get(&self, i: i64) -> R<String> { Ok(self.at(i)?.to_string()) }
        /// s[lo:hi:step] as a String.
        pub fn slice(&self, lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<String> {
            let mut out = String::new();
            self.slice_into(&mut out, lo, hi, step)?;
            Ok(out)
        }
        /// out = s[lo:hi:step], keeping out's buffer (the bounds are
        /// evaluated before out is touched).
        pub fn slice_into(&self, out: &mut String, lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<()> {
            let (start, _, st, n) = slice_indices(self.n(), lo, hi, step)?;
            out.clear();
            out.try_reserve(n).map_err(|_| Deopt)?;
            if let Units::Ascii(b) = self.u {
                if st == 1 {
                    // SAFETY: ASCII bytes are UTF-8
                    out.push_str(unsafe { std::str::from_utf8_unchecked(&b[start as usize..start as usize + n]) });
                    return Ok(());
                }
            }
            let mut i = start;
            for _ in 0..n { out.push(cp_char(self.cp(i as usize))?); i += st; }
            Ok(())
        }
        /// The span of s[lo:hi] (step 1): a str local kept as where it
        /// is in s (plan.c: plan_str_locals).
        #[inline]
        pub fn span(&self, lo: Option<i64>, hi: Option<i64>) -> R<Span> {
            let (start, _, _, n) = slice_indices(self.n(), lo, hi, None)?;
            Ok(Span { start: start as usize, n })
        }
        /// s[w] == lit by code points, no str made.
        #[inline]
        pub fn span_eq(&self, w: Span, lit: &str) -> bool {
            if let Units::Ascii(b) = self.u { return &b[w.start..w.start + w.n] == lit.as_bytes(); }
            let (mut k, end) = (w.start, w.start + w.n);
            for c in lit.chars() {
                if k == end || self.cp(k) != c as u32 { return false; }
                k += 1;
            }
            k == end
        }
        #[inline]
        pub fn span_in(&self, w: Span, lits: &[&str]) -> bool { lits.iter().any(|l| self.span_eq(w, l)) }
        /// s[w] as a new Python str (as slice_obj).
        pub fn span_obj(&self, w: Span) -> R<Obj> {
            let s = w.start;
            match self.u {
                Units::Ascii(b) | Units::L1(b) => obj_kind(1, b[s..].as_ptr(), w.n),
                Units::U2(u) => obj_kind(2, u[s..].as_ptr() as *const u8, w.n),
                Units::U4(c) => obj_kind(4, c[s..].as_ptr() as *const u8, w.n),
            }
        }
        /// s[lo:hi] (step 1) == lit, no str made.
        #[inline]
        pub fn slice_eq(&self, lo: Option<i64>, hi: Option<i64>, lit: &str) -> R<bool> {
            Ok(self.span_eq(self.span(lo, hi)?, lit))
        }
        /// s[lo:hi] in (lits...), no str made.
        #[inline]
        pub fn slice_in(&self, lo: Option<i64>, hi: Option<i64>, lits: &[&str]) -> R<bool> {
            Ok(self.span_in(self.span(lo, hi)?, lits))
        }
        /// s[lo:hi:step] as a new Python str straight from the code
        /// points (no String in between); of one or no character it is
        /// CPython's own shared str, as slicing gives in Python. Only a
        /// result-list item is made this way (emit.c: ex_py_item).
        pub fn slice_obj(&self, lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<Obj> {
            let (start, _, st, n) = slice_indices(self.n(), lo, hi, step)?;
            if st != 1 {
                // CPython's general case: a new str of the widest code
                // point, even of one character (not its shared one)
                if n == 0 { return obj_kind(1, b"".as_ptr(), 0); }
                let at = |k: usize| self.cp((start + k as i64 * st) as usize);
                let max = (0..n).map(at).max().unwrap_or(0);
                unsafe {
                    let o = ffi::PyUnicode_New(n as ffi::Py_ssize_t, max);
                    if o.is_null() { ffi::PyErr_Clear(); return Err(Deopt); }
                    let d = ffi::PyUnicode_DATA(o);
                    match ffi::PyUnicode_KIND(o) {
                        1 => for k in 0..n { *(d as *mut u8).add(k) = at(k) as u8; },
                        2 => for k in 0..n { *(d as *mut u16).add(k) = at(k) as u16; },
                        _ => for k in 0..n { *(d as *mut u32).add(k) = at(k); },
                    }
                    return Ok(Obj(o));
                }
            }
            self.span_obj(Span { start: start as usize, n })
        }
        /// str.find / str.index (rt::find_in) on the code points.
        pub fn find(&self, sub: &str, lo: Option<i64>, hi: Option<i64>, index: bool) -> R<i64> {
            match self.u {
                // SAFETY: ASCII bytes are UTF-8
                Units::Ascii(b) => find_ascii(unsafe { std::str::from_utf8_unchecked(b) }, sub, lo, hi, index),
                Units::L1(b) => find_units(b, sub, lo, hi, index),
                Units::U2(w) => find_units(w, sub, lo, hi, index),
                Units::U4(c) => find_units(c, sub, lo, hi, index),
            }
        }
        #[inline]
        pub fn get_into(&self, out: &mut String, i: i64) -> R<()> {
            let c = self.at(i)?;
            out.clear();
            out.push(c);
            Ok(())
        }
    }
    /// Where a str local cut from a StrIx lies in it: code points
    /// start..start + n.
    #[derive(Clone, Copy, Default)]
    pub struct Span { start: usize, n: usize }
    impl Span {
        #[inline]
        pub fn len(&self) -> i64 { self.n as i64 }
    }
    /// The str of one code point, CPython's shared one for Latin-1 (as
    /// s[i] gives).
    pub fn obj_char(c: char) -> R<Obj> {
        let o = unsafe { ffi::PyUnicode_FromOrdinal(c as i32) };
        if o.is_null() {
            unsafe { ffi::PyErr_Clear() };
            return Err(Deopt);
        }
        Ok(Obj(o))
    }
    /// A new str of n code points of the given PEP 393 kind at p
    /// (CPython narrows it, and gives its shared one-character and
    /// empty strs).
    fn obj_kind(kind: i32, p: *const u8, n: usize) -> R<Obj> {
        let o = unsafe { ffi::PyUnicode_FromKindAndData(kind, p as *const std::ffi::c_void, n as ffi::Py_ssize_t) };
        if o.is_null() {
            unsafe { ffi::PyErr_Clear() };
            return Err(Deopt);
        }
        Ok(Obj(o))
    }
    pub fn sslice(s: &str, lo: Option<i64>, hi: Option<i64>, step: Option<i64>) -> R<String> {
        let cs: Vec<char> = s.chars().collect();
        Ok(slice(&cs, lo, hi, step)?.into_iter().collect())
    }
    pub fn chars(s: &str) -> Vec<String> { s.chars().map(|c| c.to_string()).collect() }
    pub fn cat(a: &str, b: &str) -> String { let mut s = String::with_capacity(a.len() + b.len()); s.push_str(a); s.push_str(b); s }
    pub fn srepeat(a: &str, n: i64) -> R<String> {
        if n <= 0 { return Ok(String::new()); }
        let total = (a.len() as u64).saturating_mul(n as u64);
        if total > (1u64 << 32) { return Err(Deopt); }
        let mut out: Vec<u8> = Vec::new();
        reserve(&mut out, total as usize)?;
        out.extend_from_slice(a.as_bytes());
        fill_doubling(&mut out, total as usize);
        // SAFETY: whole copies of a str's UTF-8, end to end.
        Ok(unsafe { String::from_utf8_unchecked(out) })
    }
    fn py_ws(c: char) -> bool { matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\x1f') }
    // The running interpreter's own Unicode database (its unicodectype.c,
    // exported by libpython): str methods on non-ASCII text answer what
    // that Python answers, whatever Unicode version Rust's std has.
    mod ucd {
        use std::os::raw::c_int;
        extern "C" {
            pub fn _PyUnicode_IsAlpha(ch: u32) -> c_int;
            pub fn _PyUnicode_IsDecimalDigit(ch: u32) -> c_int;
            pub fn _PyUnicode_IsDigit(ch: u32) -> c_int;
            pub fn _PyUnicode_IsNumeric(ch: u32) -> c_int;
            pub fn _PyUnicode_IsWhitespace(ch: u32) -> c_int;
            pub fn _PyUnicode_IsUppercase(ch: u32) -> c_int;
            pub fn _PyUnicode_IsLowercase(ch: u32) -> c_int;
            pub fn _PyUnicode_IsTitlecase(ch: u32) -> c_int;
            pub fn _PyUnicode_ToLowerFull(ch: u32, res: *mut u32) -> c_int;
            pub fn _PyUnicode_ToUpperFull(ch: u32, res: *mut u32) -> c_int;
            pub fn _PyUnicode_ToTitleFull(ch: u32, res: *mut u32) -> c_int;
        }
    }
    /// Py_UNICODE_ISSPACE: the split()/strip() whitespace.
    #[inline]
    fn u_ws(c: char) -> bool { if (c as u32) < 128 { py_ws(c) } else { unsafe { ucd::_PyUnicode_IsWhitespace(c as u32) != 0 } } }
    #[inline] fn u_alpha(c: char) -> bool { unsafe { ucd::_PyUnicode_IsAlpha(c as u32) != 0 } }
    #[inline] fn u_digit(c: char) -> bool { unsafe { ucd::_PyUnicode_IsDigit(c as u32) != 0 } }
    #[inline] fn u_upper(c: char) -> bool { unsafe { ucd::_PyUnicode_IsUppercase(c as u32) != 0 } }
    #[inline] fn u_lower(c: char) -> bool { unsafe { ucd::_PyUnicode_IsLowercase(c as u32) != 0 } }
    #[inline] fn u_title(c: char) -> bool { unsafe { ucd::_PyUnicode_IsTitlecase(c as u32) != 0 } }
    /// Py_UNICODE_ISALNUM
    #[inline]
    fn u_alnum(c: char) -> bool {
        let u = c as u32;
        unsafe { ucd::_PyUnicode_IsAlpha(u) != 0 || ucd::_PyUnicode_IsDecimalDigit(u) != 0
                 || ucd::_PyUnicode_IsDigit(u) != 0 || ucd::_PyUnicode_IsNumeric(u) != 0 }
    }
    pub fn split_ws(s: &str) -> R<Vec<String>> {
        if s.is_ascii() { return Ok(s.split(py_ws).filter(|p| !p.is_empty()).map(|p| p.to_string()).collect()); }
        Ok(s.split(u_ws).filter(|p| !p.is_empty()).map(|p| p.to_string()).collect())
    }
    pub fn split(s: &str, sep: &str) -> R<Vec<String>> {
        if sep.is_empty() { return Err(Deopt); }
        Ok(s.split(sep).map(|p| p.to_string()).collect())
    }
    pub fn strip(s: &str) -> R<String> { Ok(s.trim_matches(u_ws).to_string()) }
    pub fn lstrip(s: &str) -> R<String> { Ok(s.trim_start_matches(u_ws).to_string()) }
    pub fn rstrip(s: &str) -> R<String> { Ok(s.trim_end_matches(u_ws).to_string()) }
    pub fn strip_chars(s: &str, cs: &str) -> String { s.trim_matches(|c| cs.contains(c)).to_string() }
    pub fn lstrip_chars(s: &str, cs: &str) -> String { s.trim_start_matches(|c| cs.contains(c)).to_string() }
    pub fn rstrip_chars(s: &str, cs: &str) -> String { s.trim_end_matches(|c| cs.contains(c)).to_string() }
    /// str.lower(): each code point's full lower-case mapping (a capital
    /// sigma, whose lower case depends on its neighbours, re-runs).
    pub fn lower(s: &str) -> R<String> {
        if s.is_ascii() { return Ok(s.to_ascii_lowercase()); }
        if s.contains('\u{3a3}') { return Err(Deopt); }
        Ok(case_full(s, ucd::_PyUnicode_ToLowerFull))
    }
    pub fn upper(s: &str) -> R<String> {
        if s.is_ascii() { return Ok(s.to_ascii_uppercase()); }
        Ok(case_full(s, ucd::_PyUnicode_ToUpperFull))
    }
    fn case_full(s: &str, f: unsafe extern "C" fn(u32, *mut u32) -> std::os::raw::c_int) -> String {
        let mut out = String::with_capacity(s.len());
        case_full_into(&mut out, s, f);
        out
    }
    fn case_full_into(out: &mut String, s: &str, f: unsafe extern "C" fn(u32, *mut u32) -> std::os::raw::c_int) {
        let mut buf = [0u32; 3];
        for c in s.chars() {
            let n = unsafe { f(c as u32, buf.as_mut_ptr()) };
            for &u in &buf[..n.max(0) as usize] {
                out.push(char::from_u32(u).unwrap_or('\u{fffd}'));
            }
        }
    }
    /// str.capitalize() (3.8+): the first code point in title case, the
    /// rest lower case (a capital sigma, whose lower case depends on its
    /// neighbours, re-runs).
    pub fn capitalize(s: &str) -> R<String> {
        let mut it = s.chars();
        let first = match it.next() { None => return Ok(String::new()), Some(c) => c };
        let rest = it.as_str();
        let mut out = String::with_capacity(s.len());
        if s.is_ascii() {
            out.push(first.to_ascii_uppercase());
            out.push_str(rest);
            out[1..].make_ascii_lowercase();
            return Ok(out);
        }
        if rest.contains('\u{3a3}') { return Err(Deopt); }
        let mut one = [0u8; 4];
        case_full_into(&mut out, first.encode_utf8(&mut one), ucd::_PyUnicode_ToTitleFull);
        case_full_into(&mut out, rest, ucd::_PyUnicode_ToLowerFull);
        Ok(out)
    }
    /// str.partition / str.rpartition (an empty separator re-runs Python,
    /// which raises ValueError): around the first (last) sep, or the
    /// whole str first (last) and two empty ones.
    fn part3(s: &str, sep: &str, at: Option<usize>, last: bool) -> R<(String, String, String)> {
        if sep.is_empty() { return Err(Deopt); }
        Ok(match at {
            Some(i) => (s[..i].to_string(), sep.to_string(), s[i + sep.len()..].to_string()),
            None if last => (String::new(), String::new(), s.to_string()),
            None => (s.to_string(), String::new(), String::new()),
        })
    }
    pub fn partition(s: &str, sep: &str) -> R<(String, String, String)> { part3(s, sep, s.find(sep), false) }
    pub fn rpartition(s: &str, sep: &str) -> R<(String, String, String)> { part3(s, sep, s.rfind(sep), true) }
    pub fn replace(s: &str, a: &str, b: &str) -> R<String> { if a.is_empty() { return Err(Deopt); } Ok(s.replace(a, b)) }
    pub fn find(s: &str, sub: &str) -> i64 {
        match s.find(sub) { Some(b) => s[..b].chars().count() as i64, None => -1 }
    }
    /// s.ljust / rjust / center (how: b'l', b'r', b'c') to width code
    /// points with the one-character fill, split as CPython's pad()
    /// splits it (center: the odd one goes left when width is odd).
    pub fn pad(s: &str, width: i64, fill: &str, how: u8) -> R<String> {
        let mut fc = fill.chars();
        let f = match (fc.next(), fc.next()) { (Some(c), None) => c, _ => return Err(Deopt) };
        let n = if s.is_ascii() { s.len() as i64 } else { s.chars().count() as i64 };
        if width <= n { return Ok(s.to_string()); }
        let marg = width - n;
        if marg > (1i64 << 31) { return Err(Deopt); }
        let (left, right) = match how {
            b'l' => (0, marg),
            b'r' => (marg, 0),
            _ => { let left = marg / 2 + (marg & width & 1); (left, marg - left) }
        };
        let mut out = String::new();
        out.try_reserve_exact(s.len() + (marg as usize) * f.len_utf8()).map_err(|_| Deopt)?;
        for _ in 0..left { out.push(f); }
        out.push_str(s);
        for _ in 0..right { out.push(f); }
        Ok(out)
    }
    /// start and end of str.find as CPython adjusts them (ADJUST_INDICES:
    /// end clamped to the length, negatives counted from the end; start
    /// is not clamped above).
    fn find_bounds(n: usize, lo: Option<i64>, hi: Option<i64>) -> (i64, i64) {
        let n = n as i64;
        let mut end = hi.unwrap_or(n);
        if end > n { end = n; } else if end < 0 { end = (end + n).max(0); }
        let mut start = lo.unwrap_or(0);
        if start < 0 { start = (start + n).max(0); }
        (start, end)
    }
    #[inline]
    fn found(r: i64, index: bool) -> R<i64> { if r < 0 && index { Err(Deopt) } else { Ok(r) } }
    /// s.find(sub, lo, hi) on ASCII s (bytes are code points).
    fn find_ascii(s: &str, sub: &str, lo: Option<i64>, hi: Option<i64>, index: bool) -> R<i64> {
        let (start, end) = find_bounds(s.len(), lo, hi);
        if end - start < sub.chars().count() as i64 { return found(-1, index); }
        match s[start as usize..end as usize].find(sub) {
            Some(b) => Ok(start + b as i64),
            None => found(-1, index),
        }
    }
    /// s.find(sub, lo, hi) over the code points of s (of any width).
    fn find_units<T: Copy + Into<u32>>(cs: &[T], sub: &str, lo: Option<i64>, hi: Option<i64>, index: bool) -> R<i64> {
        let (start, end) = find_bounds(cs.len(), lo, hi);
        let want: Vec<u32> = sub.chars().map(|c| c as u32).collect();
        if end - start < want.len() as i64 { return found(-1, index); }
        if want.is_empty() { return Ok(start); }
        match cs[start as usize..end as usize].windows(want.len())
            .position(|w| w.iter().zip(&want).all(|(a, b)| (*a).into() == *b)) {
            Some(i) => Ok(start + i as i64),
            None => found(-1, index),
        }
    }
    /// str.find and str.index with start and end (index: a missing sub
    /// re-runs Python, which raises the ValueError).
    pub fn find_in(s: &str, sub: &str, lo: Option<i64>, hi: Option<i64>, index: bool) -> R<i64> {
        if s.is_ascii() { return find_ascii(s, sub, lo, hi, index); }
        let cs: Vec<u32> = s.chars().map(|c| c as u32).collect();
        find_units(&cs, sub, lo, hi, index)
    }
    pub fn scount(s: &str, sub: &str) -> R<i64> { if sub.is_empty() { return Err(Deopt); } Ok(s.matches(sub).count() as i64) }
    /// str.isX(): non-empty and every code point X (ASCII by its bytes).
    #[inline]
    fn pred(s: &str, a: fn(&u8) -> bool, u: fn(char) -> bool) -> R<bool> {
        if s.is_ascii() { return Ok(!s.is_empty() && s.as_bytes().iter().all(a)); }
        Ok(s.chars().all(u))
    }
    // str.isX() of one code point (s[i].isalpha() through an rt::StrIx)
    #[inline] pub fn c_isdigit(c: char) -> bool { if c.is_ascii() { c.is_ascii_digit() } else { u_digit(c) } }
    #[inline] pub fn c_isalpha(c: char) -> bool { if c.is_ascii() { c.is_ascii_alphabetic() } else { u_alpha(c) } }
    #[inline] pub fn c_isalnum(c: char) -> bool { if c.is_ascii() { c.is_ascii_alphanumeric() } else { u_alnum(c) } }
    #[inline] pub fn c_isspace(c: char) -> bool { if c.is_ascii() { py_ws(c) } else { u_ws(c) } }
    #[inline] pub fn c_isupper(c: char) -> bool { if c.is_ascii() { c.is_ascii_uppercase() } else { u_upper(c) } }
    #[inline] pub fn c_islower(c: char) -> bool { if c.is_ascii() { c.is_ascii_lowercase() } else { u_lower(c) } }
    pub fn isdigit(s: &str) -> R<bool> { pred(s, u8::is_ascii_digit, u_digit) }
    pub fn isalpha(s: &str) -> R<bool> { pred(s, u8::is_ascii_alphabetic, u_alpha) }
    pub fn isalnum(s: &str) -> R<bool> { pred(s, u8::is_ascii_alphanumeric, u_alnum) }
    pub fn isspace(s: &str) -> R<bool> { pred(s, |b| py_ws(*b as char), u_ws) }
    /// str.isupper() / str.islower() (CPython's unicode_isupper_impl):
    /// some cased code point, all cased ones of the case (title case
    /// counts against both).
    fn cased(s: &str, upper: bool) -> bool {
        if s.is_ascii() {
            let b = s.as_bytes();
            return if upper { b.iter().any(u8::is_ascii_uppercase) && !b.iter().any(u8::is_ascii_lowercase) }
                   else { b.iter().any(u8::is_ascii_lowercase) && !b.iter().any(u8::is_ascii_uppercase) };
        }
        let mut it = s.chars();
        if let (Some(c), None) = (it.next(), it.next()) { return if upper { u_upper(c) } else { u_lower(c) }; }
        let mut seen = false;
        for c in s.chars() {
            let (same, other) = if upper { (u_upper(c), u_lower(c)) } else { (u_lower(c), u_upper(c)) };
            if other || u_title(c) { return false; }
            seen |= same;
        }
        seen
    }
    pub fn isupper(s: &str) -> R<bool> { Ok(cased(s, true)) }
    pub fn islower(s: &str) -> R<bool> { Ok(cased(s, false)) }
    pub fn join(sep: &str, parts: &[String]) -> String { parts.join(sep) }
    pub fn int_s(s: &str) -> R<i64> {
        if !s.is_ascii() || s.contains('_') { return Err(Deopt); }
        s.trim_matches(py_ws).parse::<i64>().map_err(|_| Deopt)
    }
    pub fn float_s(s: &str) -> R<f64> {
        if !s.is_ascii() || s.contains('_') { return Err(Deopt); }
        s.trim_matches(py_ws).parse::<f64>().map_err(|_| Deopt)
    }
    pub fn repr_b(b: bool) -> String { if b { "True".into() } else { "False".into() } }
    /// repr(float): shortest round-trip digits, Python's layout.
    pub fn repr_f(x: f64) -> String {
        if x.is_nan() { return "nan".into(); }
        if x.is_infinite() { return if x > 0.0 { "inf".into() } else { "-inf".into() }; }
        let s = format!("{:e}", x);
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let neg = mant.starts_with('-');
        let digits: String = mant.trim_start_matches('-').chars().filter(|c| *c != '.').collect();
        let nd = digits.len() as i32;
        let mut out = String::new();
        if neg { out.push('-'); }
        if (-4..16).contains(&exp) {
            if exp >= 0 {
                if nd <= exp + 1 {
                    out.push_str(&digits);
                    for _ in 0..(exp + 1 - nd) { out.push('0'); }
                    out.push_str(".0");
                } else {
                    out.push_str(&digits[..(exp + 1) as usize]);
                    out.push('.');
                    out.push_str(&digits[(exp + 1) as usize..]);
                }
            } else {
                out.push_str("0.");
                for _ in 0..(-exp - 1) { out.push('0'); }
                out.push_str(&digits);
            }
        } else {
            out.push_str(&digits[..1]);
            if nd > 1 { out.push('.'); out.push_str(&digits[1..]); }
            out.push('e');
            out.push(if exp < 0 { '-' } else { '+' });
            out.push_str(&format!("{:02}", exp.abs()));
        }
        out
    }

    // ---- recursion: the interpreter's limit, counted as Python counts ----
    // Python 3.11 counts Python frames and C-level recursive calls on one
    // counter (recursion_remaining): entering Py_EnterRecursiveCall once per
    // native level uses the same budget, so native code reaches the limit no
    // later than Python would. There the native side re-runs Python, which
    // raises its own RecursionError (or, one level short, finishes: exact
    // either way). From 3.12 Python frames have their own counter; native
    // levels then count against sys.getrecursionlimit() minus the Python
    // frames below the call. The native stack is capped apart (MAX_NATIVE).
    thread_local! {
        static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        static PY_BASE: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
    }
    const MAX_NATIVE: u32 = 400;
    fn py_3_12() -> bool {
        static V: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *V.get_or_init(|| Python::attach(|py| py.version_info() >= (3, 12)))
    }
    /// Python frames on this thread's stack (3.12+: the base of the count).
    unsafe fn py_frames() -> i64 {
        let mut n = 0i64;
        let mut fr = ffi::PyEval_GetFrame();
        if !fr.is_null() { ffi::Py_INCREF(fr as *mut ffi::PyObject); }
        while !fr.is_null() {
            n += 1;
            let back = ffi::PyFrame_GetBack(fr);
            ffi::Py_DECREF(fr as *mut ffi::PyObject);
            fr = back;
        }
        n
    }
    pub struct Depth { counted: bool }
    impl Depth {
        pub fn enter() -> R<Depth> {
            let d = DEPTH.with(|c| { let v = c.get() + 1; c.set(v); v });
            let mut g = Depth { counted: false };
            if d > MAX_NATIVE { return Err(Deopt); }
            tick()?;
            unsafe {
                // the counters belong to the thread state: GIL required
                // (emit_entry never detaches a recursive call tree)
                if ffi::PyGILState_Check() == 0 { return Err(Deopt); }
                if py_3_12() {
                    if d == 1 { PY_BASE.with(|c| c.set(py_frames())); }
                    let base = PY_BASE.with(|c| c.get());
                    if base + d as i64 >= ffi::Py_GetRecursionLimit() as i64 { return Err(Deopt); }
                } else {
                    if ffi::Py_EnterRecursiveCall(c" in rustify".as_ptr()) != 0 {
                        ffi::PyErr_Clear();
                        return Err(Deopt);
                    }
                    g.counted = true;
                }
            }
            Ok(g)
        }
    }
    impl Drop for Depth {
        fn drop(&mut self) {
            DEPTH.with(|c| c.set(c.get() - 1));
            if self.counted { unsafe { ffi::Py_LeaveRecursiveCall(); } }
        }
    }

    // ---- signals: a long native loop stays interruptible ----
    // Every loop iteration (and every recursive call) ticks; every 2**14
    // ticks the pending signals are checked, as the interpreter does
    // between bytecodes: with the GIL held, PyErr_CheckSignals (cheap when
    // nothing is pending); in a loop that released the GIL, at most every
    // 5 ms, and only on the thread that can run handlers, it re-attaches
    // to check. A handler's exception (KeyboardInterrupt) is kept here and
    // raised by the entry point instead of re-running Python.
    static TICKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    thread_local! {
        static RAISED: std::cell::RefCell<Option<PyErr>> = const { std::cell::RefCell::new(None) };
        static LAST_CHECK: std::cell::Cell<Option<std::time::Instant>> = const { std::cell::Cell::new(None) };
    }
    #[inline(always)]
    pub fn tick() -> R<()> {
        use std::sync::atomic::Ordering::Relaxed;
        let t = TICKS.load(Relaxed).wrapping_add(1);
        TICKS.store(t, Relaxed);
        if t & 0x3fff == 0 { check_signals() } else { Ok(()) }
    }
    /// The loop counter of one native call: kept in a register while the
    /// loops run (a shared counter in memory would put a store-to-load
    /// dependency on every iteration), taken from and given back to the
    /// shared count at entry and exit, so short loops in many calls add up
    /// as well.
    pub struct Ticks(u32);
    impl Ticks {
        #[inline(always)]
        pub fn new() -> Ticks { Ticks(TICKS.load(std::sync::atomic::Ordering::Relaxed)) }
        #[inline(always)]
        pub fn tick(&mut self) -> R<()> {
            self.0 = self.0.wrapping_add(1);
            if self.0 & 0x3fff == 0 { check_signals_keep() } else { Ok(()) }
        }
        /// Counts a loop over lo..hi at once when it has at most 2**14
        /// iterations (true: it then runs without ticks), checking signals
        /// first if the count passes a check point; false for a longer loop,
        /// which ticks per iteration.
        #[inline(always)]
        pub fn bulk(&mut self, lo: i64, hi: i64) -> R<bool> {
            let n = if hi > lo { hi.wrapping_sub(lo) as u64 } else { 0 };
            if n > 0x4000 { return Ok(false); }
            let old = self.0;
            self.0 = old.wrapping_add(n as u32);
            if (old ^ self.0) & !0x3fff != 0 { check_signals_keep()?; }
            Ok(true)
        }
    }
    impl Drop for Ticks {
        #[inline(always)]
        fn drop(&mut self) { TICKS.store(self.0, std::sync::atomic::Ordering::Relaxed); }
    }
    fn raise(e: PyErr) -> Deopt {
        RAISED.with(|r| *r.borrow_mut() = Some(e));
        Deopt
    }
    #[cold]
    #[inline(never)]
    pub fn check_signals() -> R<()> {
        unsafe {
            if ffi::PyGILState_Check() != 0 {
                if ffi::PyErr_CheckSignals() != 0 {
                    return Err(raise(PyErr::fetch(Python::assume_attached())));
                }
                return Ok(());
            }
        }
        // GIL released: only the main thread runs signal handlers
        #[cfg(target_os = "linux")]
        {
            extern "C" { fn getpid() -> i32; fn gettid() -> i32; }
            if unsafe { gettid() != getpid() } { return Ok(()); }
        }
        let now = std::time::Instant::now();
        let due = LAST_CHECK.with(|c| match c.get() {
            Some(t) if now.duration_since(t).as_millis() < 5 => false,
            _ => { c.set(Some(now)); true }
        });
        if !due { return Ok(()); }
        Python::attach(|py| py.check_signals()).map_err(raise)
    }
    /// check_signals from inside a hot loop. Every xmm register is
    /// caller-saved, so a plain call in a loop makes the compiler keep float
    /// accumulators in memory for the whole loop (a dot product went from
    /// 1.5 to 3.8 ns per element); this call is made from assembly that
    /// saves xmm0-15 itself, below the red zone, so they stay in registers.
    /// x86-64 without AVX (wider registers would need more saving); a plain
    /// call elsewhere.
    #[cfg(all(target_arch = "x86_64", not(target_feature = "avx")))]
    #[inline(always)]
    pub fn check_signals_keep() -> R<()> {
        extern "C" fn check_c() -> u64 { if check_signals().is_err() { 1 } else { 0 } }
        let r: u64;
        unsafe {
            core::arch::asm!(
                "sub rsp, 384",
                "movdqu [rsp], xmm0", "movdqu [rsp+16], xmm1", "movdqu [rsp+32], xmm2", "movdqu [rsp+48], xmm3",
                "movdqu [rsp+64], xmm4", "movdqu [rsp+80], xmm5", "movdqu [rsp+96], xmm6", "movdqu [rsp+112], xmm7",
                "movdqu [rsp+128], xmm8", "movdqu [rsp+144], xmm9", "movdqu [rsp+160], xmm10", "movdqu [rsp+176], xmm11",
                "movdqu [rsp+192], xmm12", "movdqu [rsp+208], xmm13", "movdqu [rsp+224], xmm14", "movdqu [rsp+240], xmm15",
                "call {f}",
                "movdqu xmm0, [rsp]", "movdqu xmm1, [rsp+16]", "movdqu xmm2, [rsp+32]", "movdqu xmm3, [rsp+48]",
                "movdqu xmm4, [rsp+64]", "movdqu xmm5, [rsp+80]", "movdqu xmm6, [rsp+96]", "movdqu xmm7, [rsp+112]",
                "movdqu xmm8, [rsp+128]", "movdqu xmm9, [rsp+144]", "movdqu xmm10, [rsp+160]", "movdqu xmm11, [rsp+176]",
                "movdqu xmm12, [rsp+192]", "movdqu xmm13, [rsp+208]", "movdqu xmm14, [rsp+224]", "movdqu xmm15, [rsp+240]",
                "add rsp, 384",
                f = sym check_c,
                out("rax") r, out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
                out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            );
        }
        if r != 0 { Err(Deopt) } else { Ok(()) }
    }
    #[cfg(not(all(target_arch = "x86_64", not(target_feature = "avx"))))]
    #[inline(always)]
    pub fn check_signals_keep() -> R<()> { check_signals() }
    /// The exception a signal handler raised during the last native call.
    pub fn take_raised() -> Option<PyErr> { RAISED.with(|r| r.borrow_mut().take()) }

    // ---- the Python boundary ----
    /// Exact-type extraction straight from the object (lists through their
    /// item pointers); None on any mismatch, so the caller falls back.
    pub trait Ext: Sized {
        /// # Safety
        /// `o` must be a valid object pointer and the GIL held.
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<Self>;
    }
    impl Ext for f64 {
        #[inline]
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<f64> {
            if ffi::PyFloat_CheckExact(o) != 0 { Some(ffi::PyFloat_AS_DOUBLE(o)) } else { None }
        }
    }
    // ---- small ints read in place ----
    // PyLong_AsLongLongAndOverflow is a call per item; an int of at most two
    // 30-bit digits is read from the object itself when the running
    // interpreter's layout was recognised at import (init_ints): 3.11 and
    // before keep sign * ndigits in ob_size, 3.12 on a tag (ndigits << 3 |
    // sign) in the same place; the digits follow. Any other build (15-bit
    // digits, a debug or free-threaded object header) fails the self-test
    // and keeps the call.
    static INT_LAYOUT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    const INT_SIZE: u8 = 1;
    const INT_TAG: u8 = 2;
    /// An exact int of up to two digits read in place (the layout passed
    /// its self-test), for the object tier's fast paths; None otherwise.
    #[inline(always)]
    pub unsafe fn small_int(o: *mut ffi::PyObject) -> Option<i64> {
        if ffi::PyLong_CheckExact(o) == 0 { return None; }
        let layout = INT_LAYOUT.load(std::sync::atomic::Ordering::Relaxed);
        if layout == 0 { return None; }
        int_in_place(o, layout)
    }
    #[inline(always)]
    unsafe fn int_in_place(o: *mut ffi::PyObject, layout: u8) -> Option<i64> {
        let word = *(o as *const isize).add(2);
        let d = (o as *const u8).add(3 * std::mem::size_of::<isize>()) as *const u32;
        let (n, neg) = if layout == INT_SIZE {
            (word.unsigned_abs(), word < 0)
        } else if layout == INT_TAG {
            let tag = word as usize;
            if tag & 3 == 1 { return Some(0); }
            (tag >> 3, tag & 3 == 2)
        } else {
            return None;
        };
        let v = match n {
            0 => 0i64,
            1 => *d as i64,
            2 => (*d as i64) | ((*d.add(1) as i64) << 30),
            _ => return None,
        };
        Some(if neg { -v } else { v })
    }
    /// Recognises the int layout of the running interpreter (once, at
    /// import): the candidate for its version must read back a range of
    /// values exactly, else ints are read through the C API.
    pub fn init_ints(py: Python<'_>) {
        let layout = if py.version_info() >= (3, 12) { INT_TAG } else { INT_SIZE };
        let probes: [i64; 14] = [0, 1, -1, 7, -300, (1 << 30) - 1, 1 << 30, -(1 << 30),
                                 (1 << 40) + 3, -(1 << 59) - 5, (1 << 60) - 1, -(1 << 60),
                                 i64::MAX, i64::MIN];
        let ok = probes.iter().all(|&x| unsafe {
            let o = ffi::PyLong_FromLongLong(x);
            if o.is_null() { ffi::PyErr_Clear(); return false; }
            let got = int_in_place(o, layout);
            ffi::Py_DECREF(o);
            match got {
                Some(v) => v == x,
                None => x.unsigned_abs() >= 1 << 60,
            }
        });
        INT_LAYOUT.store(if ok { layout } else { 0 }, std::sync::atomic::Ordering::Relaxed);
        if ok { unsafe { init_new_in_place(py, layout); } }
    }
    // ---- result items made in place ----
    // The floats and ints of a result list (rt::ToPy) are made without the
    // calls' generic paths: a float as PyFloat_FromDouble makes one when
    // its free list is empty, an int of one 30-bit digit beyond the cached
    // small ints as PyLong_FromLongLong makes it on 3.11 (_PyLong_New(1)):
    // memory from PyObject_Malloc, reference count 1, the type (a static
    // type: no reference taken), the value. Only on a 3.11 whose type
    // objects give that layout (init_ints); the calls otherwise.
    static NEW_IN_PLACE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    #[inline(always)]
    pub unsafe fn float_new(v: f64) -> *mut ffi::PyObject {
        if !NEW_IN_PLACE.load(std::sync::atomic::Ordering::Relaxed) { return ffi::PyFloat_FromDouble(v); }
        let p = ffi::PyObject_Malloc(24) as *mut u8;
        if p.is_null() { return ffi::PyErr_NoMemory(); }
        *(p as *mut isize) = 1;
        *(p as *mut *mut ffi::PyTypeObject).add(1) = std::ptr::addr_of_mut!(ffi::PyFloat_Type);
        *(p.add(16) as *mut f64) = v;
        p as *mut ffi::PyObject
    }
    #[inline(always)]
    pub unsafe fn int_new(v: i64) -> *mut ffi::PyObject {
        if (v > 256 || v < -5) && v.unsigned_abs() < 1 << 30
            && NEW_IN_PLACE.load(std::sync::atomic::Ordering::Relaxed) {
            let p = ffi::PyObject_Malloc(28) as *mut u8;
            if p.is_null() { return ffi::PyErr_NoMemory(); }
            *(p as *mut isize) = 1;
            *(p as *mut *mut ffi::PyTypeObject).add(1) = std::ptr::addr_of_mut!(ffi::PyLong_Type);
            *(p.add(16) as *mut isize) = if v < 0 { -1 } else { 1 };
            *(p.add(24) as *mut u32) = v.unsigned_abs() as u32;
            return p as *mut ffi::PyObject;
        }
        ffi::PyLong_FromLongLong(v)
    }
    /// Whether float_new and int_new may make objects in place: 3.11's
    /// ints (ob_size and 30-bit digits, passed init_ints' test), and the
    /// sizes the type objects give (a debug build's header is larger);
    /// then objects made so must read back and compare equal to the
    /// interpreter's own.
    unsafe fn init_new_in_place(py: Python<'_>, layout: u8) -> bool {
        let ft = std::ptr::addr_of_mut!(ffi::PyFloat_Type);
        let lt = std::ptr::addr_of_mut!(ffi::PyLong_Type);
        if layout != INT_SIZE || py.version_info() < (3, 11) || py.version_info() >= (3, 12)
            || (*ft).tp_basicsize != 24 || (*lt).tp_basicsize != 24 || (*lt).tp_itemsize != 4 {
            return false;
        }
        NEW_IN_PLACE.store(true, std::sync::atomic::Ordering::Relaxed);
        let mut ok = true;
        for x in [257i64, -6, 1 << 29, (1 << 30) - 1, -(1 << 30) + 1, 123456789] {
            let (a, b) = (int_new(x), ffi::PyLong_FromLongLong(x));
            ok &= !a.is_null() && !b.is_null() && ffi::PyLong_CheckExact(a) != 0
                && ffi::PyObject_RichCompareBool(a, b, ffi::Py_EQ) == 1
                && ffi::PyObject_Hash(a) == ffi::PyObject_Hash(b)
                && ffi::PyLong_AsLongLong(a) == x;
            for o in [a, b] { if !o.is_null() { ffi::Py_DECREF(o); } }
        }
        for x in [0.0f64, -0.0, 1.5, -2.25e300, f64::INFINITY] {
            let a = float_new(x);
            ok &= !a.is_null() && ffi::PyFloat_CheckExact(a) != 0
                && ffi::PyFloat_AsDouble(a).to_bits() == x.to_bits();
            if !a.is_null() { ffi::Py_DECREF(a); }
        }
        if !ffi::PyErr_Occurred().is_null() { ffi::PyErr_Clear(); ok = false; }
        NEW_IN_PLACE.store(ok, std::sync::atomic::Ordering::Relaxed);
        ok
    }
    impl Ext for i64 {
        #[inline]
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<i64> {
            if ffi::PyLong_CheckExact(o) == 0 { return None; }
            let layout = INT_LAYOUT.load(std::sync::atomic::Ordering::Relaxed);
            if layout != 0 {
                if let Some(v) = int_in_place(o, layout) { return Some(v); }
            }
            let mut overflow: std::os::raw::c_int = 0;
            let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
            if overflow != 0 { return None; }
            if v == -1 && !ffi::PyErr_Occurred().is_null() { ffi::PyErr_Clear(); return None; }
            Some(v)
        }
    }
    impl Ext for bool {
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<bool> {
            if o == ffi::Py_True() { Some(true) } else if o == ffi::Py_False() { Some(false) } else { None }
        }
    }
    impl Ext for () {
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<()> { if o == ffi::Py_None() { Some(()) } else { None } }
    }
    impl Ext for Never {
        unsafe fn ext(_o: *mut ffi::PyObject) -> Option<Never> { None }
    }
    impl Ext for String {
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<String> {
            if ffi::PyUnicode_CheckExact(o) == 0 { return None; }
            let mut n: ffi::Py_ssize_t = 0;
            let p = ffi::PyUnicode_AsUTF8AndSize(o, &mut n);
            if p.is_null() { ffi::PyErr_Clear(); return None; }
            // CPython's UTF-8 (it refuses lone surrogates above)
            let bytes = std::slice::from_raw_parts(p as *const u8, n as usize);
            Some(std::str::from_utf8_unchecked(bytes).to_string())
        }
    }
    impl<T: Ext> Ext for Vec<T> {
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<Vec<T>> {
            if ffi::PyList_CheckExact(o) == 0 { return None; }
            let n = ffi::PyList_GET_SIZE(o);
            let mut v = Vec::with_capacity(n as usize);
            for i in 0..n { v.push(T::ext(ffi::PyList_GET_ITEM(o, i))?); }
            Some(v)
        }
    }
    impl<K: Ext + Hash + Eq, V: Ext> Ext for IndexMap<K, V> {
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<IndexMap<K, V>> {
            if ffi::PyDict_CheckExact(o) == 0 { return None; }
            let mut d = IndexMap::with_capacity_and_hasher(ffi::PyDict_Size(o) as usize, FastHash::default());
            let mut pos: ffi::Py_ssize_t = 0;
            let mut k: *mut ffi::PyObject = std::ptr::null_mut();
            let mut v: *mut ffi::PyObject = std::ptr::null_mut();
            while ffi::PyDict_Next(o, &mut pos, &mut k, &mut v) != 0 {
                d.insert(K::ext(k)?, V::ext(v)?);
            }
            Some(d)
        }
    }
    /// A dict argument of immutable keys and values, converted once per
    /// state of the dict: CPython 3.11 gives a dict a new, never reused
    /// version tag (ma_version_tag) at its creation and at every change,
    /// so the same object at the same tag holds the same items, and a
    /// table passed call after call is not converted each time. One per
    /// parameter of a typed function; the last conversion is kept.
    pub struct DictCache<K, V> { last: std::sync::Mutex<Option<(usize, u64, std::sync::Arc<IndexMap<K, V>>)>> }
    impl<K: Ext + Hash + Eq, V: Ext> DictCache<K, V> {
        pub const fn new() -> Self { DictCache { last: std::sync::Mutex::new(None) } }
        pub fn arg(&self, slot: &Option<Bound<'_, PyAny>>) -> Option<std::sync::Arc<IndexMap<K, V>>> {
            let o = slot.as_ref()?.as_ptr();
            unsafe {
                if ffi::PyDict_CheckExact(o) == 0 { return None; }
                let tag = (*(o as *mut ffi::PyDictObject)).ma_version_tag;
                if let Ok(g) = self.last.lock() {
                    if let Some((p, t, m)) = &*g {
                        if *p == o as usize && *t == tag { return Some(m.clone()); }
                    }
                }
                let m = std::sync::Arc::new(<IndexMap<K, V> as Ext>::ext(o)?);
                if let Ok(mut g) = self.last.lock() { *g = Some((o as usize, tag, m.clone())); }
                Some(m)
            }
        }
    }
    /// Read access to a dict with str keys (k in d, d[k], d.get(k[, v]),
    /// len(d)): a native map (calls between translated functions) or a
    /// DictView of the argument.
    pub trait DictRead<V> {
        fn d_len(&self) -> usize;
        fn d_has<Q: PyKey + ?Sized>(&self, k: &Q) -> R<bool>;
        /// d[k]; a missing key re-runs Python (its KeyError).
        fn d_get<Q: PyKey + ?Sized>(&self, k: &Q) -> R<&V>;
        fn d_get_or<Q: PyKey + ?Sized>(&self, k: &Q, dflt: V) -> R<V>;
    }
    /// A str key of a look-up: its text, and the str object when there
    /// is one already (a list's item, rt::SRef).
    pub trait PyKey {
        fn key_str(&self) -> &str;
        fn key_obj(&self) -> *mut ffi::PyObject { std::ptr::null_mut() }
    }
    impl PyKey for str { #[inline(always)] fn key_str(&self) -> &str { self } }
    impl PyKey for String { #[inline(always)] fn key_str(&self) -> &str { self.as_str() } }
    impl PyKey for SRef {
        #[inline(always)] fn key_str(&self) -> &str { self.as_str() }
        #[inline(always)] fn key_obj(&self) -> *mut ffi::PyObject { self.o }
    }
    impl<V: Clone> DictRead<V> for IndexMap<String, V> {
        #[inline] fn d_len(&self) -> usize { self.len() }
        #[inline] fn d_has<Q: PyKey + ?Sized>(&self, k: &Q) -> R<bool> { Ok(self.contains_key(k.key_str())) }
        #[inline] fn d_get<Q: PyKey + ?Sized>(&self, k: &Q) -> R<&V> { self.get(k.key_str()).ok_or(Deopt) }
        #[inline]
        fn d_get_or<Q: PyKey + ?Sized>(&self, k: &Q, dflt: V) -> R<V> {
            Ok(match self.get(k.key_str()) { Some(v) => v.clone(), None => dflt })
        }
    }
    /// A dict argument with str keys read where it is, never converted
    /// (plan.c plan_dictviews): each look-up is CPython's own, with the
    /// key's str object (a new one for a native String), and only the
    /// values the function reads are converted, each once per call (kept
    /// here with a reference to the value, so a signal handler that
    /// changes the dict cannot free it under the function). Its keys
    /// are exact strs (checked when it is made, once per state of the
    /// dict: its version tag), so a look-up runs no Python code; a value
    /// of another type than the function's re-runs Python (which is
    /// exact: the typed function has no effect until it returns).
    pub struct DictView<'a, V> {
        o: *mut ffi::PyObject,
        memo: std::cell::UnsafeCell<std::collections::HashMap<usize, Box<V>, FastHash>>,
        _p: std::marker::PhantomData<&'a ()>,
    }
    static STR_KEYED: std::sync::Mutex<(usize, u64)> = std::sync::Mutex::new((0, 0));
    /// The kind byte of a dict's keys object (CPython 3.11's dk_kind,
    /// after dk_refcnt and two size bytes): 1 (unicode) or 2 (split) only
    /// when every key is an exact str (insertdict turns the table general
    /// at the first other key). Whether this interpreter has that layout
    /// is tested once on two dicts; 0: not yet, 1: yes, 2: no.
    static KEYS_KIND: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    unsafe fn keys_kind(o: *mut ffi::PyObject) -> u8 {
        *(((*(o as *mut ffi::PyDictObject)).ma_keys as *const u8).add(10))
    }
    /// Some(true): every key of o is an exact str; Some(false): perhaps
    /// not; None: the layout is not known.
    unsafe fn str_keys_by_kind(o: *mut ffi::PyObject) -> Option<bool> {
        use std::sync::atomic::Ordering::Relaxed;
        if KEYS_KIND.load(Relaxed) == 0 {
            let ok = (|| {
                let a = ffi::PyDict_New();
                let b = ffi::PyDict_New();
                let k = str_to_py("k");
                let i = ffi::PyLong_FromLong(3);
                let r = !a.is_null() && !b.is_null() && !k.is_null() && !i.is_null()
                    && ffi::PyDict_SetItem(a, k, i) == 0 && ffi::PyDict_SetItem(b, i, k) == 0
                    && keys_kind(a) == 1 && keys_kind(b) == 0;
                for p in [a, b, k, i] { if !p.is_null() { ffi::Py_DECREF(p); } }
                ffi::PyErr_Clear();
                r
            })();
            KEYS_KIND.store(if ok && !py_3_12() { 1 } else { 2 }, Relaxed);
        }
        if KEYS_KIND.load(Relaxed) != 1 { return None; }
        Some(matches!(keys_kind(o), 1 | 2))
    }
    impl<'a, V: Ext + Clone> DictView<'a, V> {
        pub fn new(slot: &'a Option<Bound<'_, PyAny>>) -> Option<Self> {
            let o = slot.as_ref()?.as_ptr();
            unsafe {
                if ffi::PyDict_CheckExact(o) == 0 { return None; }
                // a general table may still hold only strs (one that held
                // another key once): then the scan below, once per state
                if str_keys_by_kind(o) == Some(true) {
                    return Some(DictView { o, memo: std::cell::UnsafeCell::new(Default::default()), _p: std::marker::PhantomData });
                }
                let tag = (*(o as *mut ffi::PyDictObject)).ma_version_tag;
                let known = STR_KEYED.lock().map(|g| *g == (o as usize, tag)).unwrap_or(false);
                if !known {
                    let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
                    while ffi::PyDict_Next(o, &mut pos, &mut k, &mut v) != 0 {
                        if ffi::PyUnicode_CheckExact(k) == 0 { return None; }
                    }
                    if let Ok(mut g) = STR_KEYED.lock() { *g = (o as usize, tag); }
                }
                Some(DictView { o, memo: std::cell::UnsafeCell::new(Default::default()), _p: std::marker::PhantomData })
            }
        }
        /// The value at k (borrowed from the dict), or null.
        fn lookup<Q: PyKey + ?Sized>(&self, k: &Q) -> R<*mut ffi::PyObject> {
            unsafe {
                let mut key = k.key_obj();
                let made = key.is_null();
                if made {
                    key = str_to_py(k.key_str());
                    if key.is_null() { ffi::PyErr_Clear(); return Err(Deopt); }
                }
                let v = ffi::PyDict_GetItemWithError(self.o, key);
                if made { ffi::Py_DECREF(key); }
                if v.is_null() && !ffi::PyErr_Occurred().is_null() { ffi::PyErr_Clear(); return Err(Deopt); }
                Ok(v)
            }
        }
    }
    impl<V: Ext + Clone> DictRead<V> for DictView<'_, V> {
        #[inline] fn d_len(&self) -> usize { unsafe { ffi::PyDict_Size(self.o) as usize } }
        #[inline] fn d_has<Q: PyKey + ?Sized>(&self, k: &Q) -> R<bool> { Ok(!self.lookup(k)?.is_null()) }
        fn d_get<Q: PyKey + ?Sized>(&self, k: &Q) -> R<&V> {
            let v = self.lookup(k)?;
            if v.is_null() { return Err(Deopt); }
            // the memo only grows while the view lives and each value is
            // boxed: a reference handed out stays valid
            let memo = unsafe { &mut *self.memo.get() };
            if let Some(b) = memo.get(&(v as usize)) { return Ok(unsafe { &*(&**b as *const V) }); }
            let b = Box::new(unsafe { V::ext(v) }.ok_or(Deopt)?);
            unsafe { ffi::Py_INCREF(v) };
            let r = &*b as *const V;
            memo.insert(v as usize, b);
            Ok(unsafe { &*r })
        }
        fn d_get_or<Q: PyKey + ?Sized>(&self, k: &Q, dflt: V) -> R<V> {
            let v = self.lookup(k)?;
            if v.is_null() { return Ok(dflt); }
            unsafe { V::ext(v) }.ok_or(Deopt)
        }
    }
    impl<V> Drop for DictView<'_, V> {
        fn drop(&mut self) {
            for (&v, _) in self.memo.get_mut().iter() { unsafe { ffi::Py_DECREF(v as *mut ffi::PyObject) } }
        }
    }
    macro_rules! ext_tuple {
        ($n:expr; $($i:tt $t:ident),+) => {
            impl<$($t: Ext),+> Ext for ($($t,)+) {
                unsafe fn ext(o: *mut ffi::PyObject) -> Option<Self> {
                    if ffi::PyTuple_CheckExact(o) == 0 || ffi::PyTuple_GET_SIZE(o) != $n { return None; }
                    Some(($($t::ext(ffi::PyTuple_GET_ITEM(o, $i))?,)+))
                }
            }
        };
    }
    ext_tuple!(1; 0 A);
    ext_tuple!(2; 0 A, 1 B);
    ext_tuple!(3; 0 A, 1 B, 2 C);
    ext_tuple!(4; 0 A, 1 B, 2 C, 3 D);
    ext_tuple!(5; 0 A, 1 B, 2 C, 3 D, 4 E);
    ext_tuple!(6; 0 A, 1 B, 2 C, 3 D, 4 E, 5 F);

    /// Read access to a list: a Vec (calls between translated functions),
    /// or the caller's list read in place. Elements come out owned.
    pub trait View<T> {
        fn len(&self) -> usize;
        /// xs[i] with Python's meaning (negative from the end; out of range re-runs).
        fn at(&self, i: i64) -> R<T>;
        /// xs[k] for 0 <= k (out of range re-runs).
        fn at_k(&self, k: usize) -> R<T>;
    }
    impl<T: Clone> View<T> for Vec<T> {
        #[inline] fn len(&self) -> usize { Vec::len(self) }
        #[inline] fn at(&self, i: i64) -> R<T> { Ok(self[ix(Vec::len(self), i)?].clone()) }
        #[inline] fn at_k(&self, k: usize) -> R<T> { self.get(k).cloned().ok_or(Deopt) }
    }
    /// A list argument the function only reads (len, xs[i], for x in xs):
    /// its items are read through the list's item pointers as the code
    /// asks for them, each checked for the exact type (a mismatch re-runs
    /// Python, which is exact because the function has no effect until it
    /// returns). The size is read live on every access, never cached:
    /// a signal handler run at a check point is Python code and may
    /// shorten the list, and Python's own iteration reads the live length
    /// too. The raw pointer makes it !Send: it cannot cross into a
    /// GIL-released closure.
    pub struct ListView<'a, T> { o: *mut ffi::PyObject, _p: std::marker::PhantomData<(&'a (), T)> }
    impl<'a, T: Ext> ListView<'a, T> {
        pub fn new(slot: &'a Option<Bound<'_, PyAny>>) -> Option<Self> {
            let o = slot.as_ref()?.as_ptr();
            unsafe {
                if ffi::PyList_CheckExact(o) == 0 { return None; }
                Some(ListView { o, _p: std::marker::PhantomData })
            }
        }
    }
    impl<T: Ext> View<T> for ListView<'_, T> {
        #[inline(always)] fn len(&self) -> usize { unsafe { ffi::PyList_GET_SIZE(self.o) as usize } }
        #[inline(always)] fn at(&self, i: i64) -> R<T> { self.at_k(ix(self.len(), i)?) }
        #[inline(always)]
        fn at_k(&self, k: usize) -> R<T> {
            if k >= self.len() { return Err(Deopt); }
            unsafe { T::ext(ffi::PyList_GET_ITEM(self.o, k as ffi::Py_ssize_t)).ok_or(Deopt) }
        }
    }

    /// A str item borrowed where it lives: a native list's String, or
    /// the UTF-8 CPython keeps in a list's str object (made once per
    /// str and cached there; the list is only read, so its items live as
    /// long as the view).
    pub trait StrView {
        fn at_str(&self, i: i64) -> R<&str>;
        /// The k-th item as an rt::SRef (for t in words, plan_str_locals).
        fn at_sref_k(&self, k: usize) -> R<SRef>;
    }
    impl StrView for Vec<String> {
        #[inline] fn at_str(&self, i: i64) -> R<&str> { Ok(self[ix(Vec::len(self), i)?].as_str()) }
        #[inline]
        fn at_sref_k(&self, k: usize) -> R<SRef> {
            let s = self.get(k).ok_or(Deopt)?;
            Ok(SRef { o: std::ptr::null_mut(), p: s.as_ptr(), n: s.len() })
        }
    }
    /// A str item of a list argument kept where it is (a local only ever
    /// bound by `for t in words` and read by tests, dict look-ups, len()
    /// and as a result item): the item itself (a strong reference, so
    /// nothing the loop runs can free it) and its UTF-8 (CPython's own,
    /// cached in the str), or a native caller's String (no object).
    pub struct SRef { o: *mut ffi::PyObject, p: *const u8, n: usize }
    impl SRef {
        pub const EMPTY: SRef = SRef { o: std::ptr::null_mut(), p: b"".as_ptr(), n: 0 };
        #[inline(always)]
        pub fn as_str(&self) -> &str { unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.p, self.n)) } }
        /// As a result item: the very object the list holds (as Python's
        /// append of it), or a new str of a native caller's String.
        #[inline]
        pub fn obj(&self) -> R<Obj> {
            if self.o.is_null() { return obj_str(self.as_str()); }
            unsafe { ffi::Py_INCREF(self.o) };
            Ok(Obj(self.o))
        }
    }
    impl Drop for SRef {
        #[inline]
        fn drop(&mut self) { if !self.o.is_null() { unsafe { ffi::Py_DECREF(self.o) } } }
    }
    /// The str item at k (0 <= k) of a list and CPython's UTF-8 of it
    /// (made once and cached in the str); anything but an exact str, or a
    /// lone surrogate, re-runs Python.
    #[inline(always)]
    unsafe fn list_item_utf8(l: *mut ffi::PyObject, k: usize) -> R<(*mut ffi::PyObject, *const u8, usize)> {
        if k >= ffi::PyList_GET_SIZE(l) as usize { return Err(Deopt); }
        let o = ffi::PyList_GET_ITEM(l, k as ffi::Py_ssize_t);
        if ffi::PyUnicode_CheckExact(o) == 0 { return Err(Deopt); }
        let mut n: ffi::Py_ssize_t = 0;
        let p = ffi::PyUnicode_AsUTF8AndSize(o, &mut n);
        if p.is_null() { ffi::PyErr_Clear(); return Err(Deopt); }
        Ok((o, p as *const u8, n as usize))
    }
    impl ListView<'_, String> {
        #[inline(always)]
        fn item_utf8(&self, k: usize) -> R<(*mut ffi::PyObject, *const u8, usize)> { unsafe { list_item_utf8(self.o, k) } }
    }
    /// The list of strs at d[k] of a dict with str keys (for u in d[k]):
    /// a native map's Vec, or the argument's own list read where it is
    /// (its items checked as they are read; a strong reference held, so a
    /// signal handler changing the dict cannot free it under the loop).
    pub enum StrItems<'a> { Vec(&'a Vec<String>), Py(*mut ffi::PyObject) }
    impl Drop for StrItems<'_> {
        fn drop(&mut self) { if let StrItems::Py(o) = self { unsafe { ffi::Py_DECREF(*o) } } }
    }
    // inherent methods too: the generated code calls them on the
    // concrete type, where the traits are not in scope
    impl StrItems<'_> {
        #[inline(always)] pub fn len(&self) -> usize { View::len(self) }
        #[inline(always)] pub fn at_k(&self, k: usize) -> R<String> { View::at_k(self, k) }
        #[inline(always)] pub fn at_sref_k(&self, k: usize) -> R<SRef> { StrView::at_sref_k(self, k) }
    }
    impl View<String> for StrItems<'_> {
        #[inline]
        fn len(&self) -> usize {
            match self { StrItems::Vec(v) => v.len(), StrItems::Py(o) => unsafe { ffi::PyList_GET_SIZE(*o) as usize } }
        }
        #[inline] fn at(&self, i: i64) -> R<String> { self.at_k(ix(self.len(), i)?) }
        #[inline]
        fn at_k(&self, k: usize) -> R<String> {
            match self {
                StrItems::Vec(v) => v.get(k).cloned().ok_or(Deopt),
                StrItems::Py(o) => {
                    let (_, p, n) = unsafe { list_item_utf8(*o, k)? };
                    Ok(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p, n)) }.to_string())
                }
            }
        }
    }
    impl StrView for StrItems<'_> {
        #[inline]
        fn at_str(&self, i: i64) -> R<&str> {
            match self {
                StrItems::Vec(v) => v.at_str(i),
                StrItems::Py(o) => {
                    let (_, p, n) = unsafe { list_item_utf8(*o, ix(self.len(), i)?)? };
                    Ok(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p, n)) })
                }
            }
        }
        #[inline]
        fn at_sref_k(&self, k: usize) -> R<SRef> {
            match self {
                StrItems::Vec(v) => v.at_sref_k(k),
                StrItems::Py(o) => {
                    let (o, p, n) = unsafe { list_item_utf8(*o, k)? };
                    unsafe { ffi::Py_INCREF(o) };
                    Ok(SRef { o, p, n })
                }
            }
        }
    }
    /// d[k] as StrItems, for a dict of lists of strs.
    pub trait DictStrLists {
        fn d_items<Q: PyKey + ?Sized>(&self, k: &Q) -> R<StrItems<'_>>;
    }
    impl DictStrLists for IndexMap<String, Vec<String>> {
        #[inline]
        fn d_items<Q: PyKey + ?Sized>(&self, k: &Q) -> R<StrItems<'_>> { self.get(k.key_str()).map(StrItems::Vec).ok_or(Deopt) }
    }
    impl DictStrLists for DictView<'_, Vec<String>> {
        fn d_items<Q: PyKey + ?Sized>(&self, k: &Q) -> R<StrItems<'_>> {
            let v = self.lookup(k)?;
            if v.is_null() || unsafe { ffi::PyList_CheckExact(v) } == 0 { return Err(Deopt); }
            unsafe { ffi::Py_INCREF(v) };
            Ok(StrItems::Py(v))
        }
    }
    impl StrView for ListView<'_, String> {
        #[inline(always)]
        fn at_sref_k(&self, k: usize) -> R<SRef> {
            let (o, p, n) = self.item_utf8(k)?;
            unsafe { ffi::Py_INCREF(o) };
            Ok(SRef { o, p, n })
        }
        #[inline(always)]
        fn at_str(&self, i: i64) -> R<&str> {
            let (_, p, n) = self.item_utf8(ix(self.len(), i)?)?;
            Ok(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p, n)) })
        }
    }
    /// d[k] at the index `k in d` just found (emit.c print_if): the
    /// test said present, so the index is there.
    #[inline(always)]
    pub fn ix_mut<K, V>(d: &mut IndexMap<K, V>, ix: Option<usize>) -> &mut V {
        d.get_index_mut(ix.expect("k in d found it")).expect("k in d found it").1
    }
    #[inline(always)]
    pub fn ix_ref<K, V>(d: &IndexMap<K, V>, ix: Option<usize>) -> &V {
        d.get_index(ix.expect("k in d found it")).expect("k in d found it").1
    }
    /// d[k] = v: the key copied only when it is new.
    #[inline(always)]
    pub fn dset<K: Hash + Eq + Clone, V>(d: &mut IndexMap<K, V>, k: &K, v: V) {
        match d.get_index_of(k) {
            Some(i) => { *d.get_index_mut(i).expect("found").1 = v; }
            None => { d.insert(k.clone(), v); }
        }
    }
    /// out += s.lower() (lower: true) or s.upper().
    #[inline]
    pub fn push_case(out: &mut String, s: &str, lower_: bool) -> R<()> {
        if s.is_ascii() {
            // the bytes copied, then cased in place (ASCII stays ASCII)
            let from = out.len();
            out.push_str(s);
            let tail = &mut out[from..];
            if lower_ { tail.make_ascii_lowercase() } else { tail.make_ascii_uppercase() }
            return Ok(());
        }
        push_case_full(out, s, lower_)
    }
    fn push_case_full(out: &mut String, s: &str, lower_: bool) -> R<()> {
        if lower_ {
            if s.contains('\u{3a3}') { return Err(Deopt); }
            case_full_into(out, s, ucd::_PyUnicode_ToLowerFull);
        } else {
            case_full_into(out, s, ucd::_PyUnicode_ToUpperFull);
        }
        Ok(())
    }
    /// out = s.lower() (or upper), keeping out's buffer.
    #[inline]
    pub fn case_into(out: &mut String, s: &str, lower_: bool) -> R<()> { out.clear(); push_case(out, s, lower_) }
    /// s = the one-character str of c, keeping s's buffer.
    #[inline(always)]
    pub fn set_char(s: &mut String, c: char) { s.clear(); s.push(c); }
    /// s = t, keeping s's buffer.
    #[inline(always)]
    pub fn set_str(s: &mut String, t: &str) { s.clear(); s.push_str(t); }

    // ---- result building: lists the function returns ----
    /// A native value as a new Python object (a new reference), or null
    /// with a Python error set (MemoryError).
    pub trait ToPy {
        /// # Safety
        /// The GIL must be held.
        unsafe fn to_py(self) -> *mut ffi::PyObject;
    }
    impl ToPy for f64 {
        #[inline(always)] unsafe fn to_py(self) -> *mut ffi::PyObject { float_new(self) }
    }
    impl ToPy for i64 {
        #[inline(always)] unsafe fn to_py(self) -> *mut ffi::PyObject { int_new(self) }
    }
    impl ToPy for bool {
        #[inline(always)]
        unsafe fn to_py(self) -> *mut ffi::PyObject {
            let o = if self { ffi::Py_True() } else { ffi::Py_False() };
            ffi::Py_IncRef(o);
            o
        }
    }
    impl<T: ToPy> ToPy for Vec<T> {
        /// One list of the exact size, items set in place: no iterator
        /// and no second pass.
        unsafe fn to_py(self) -> *mut ffi::PyObject {
            let l = ffi::PyList_New(self.len() as ffi::Py_ssize_t);
            if l.is_null() { return l; }
            for (i, x) in self.into_iter().enumerate() {
                let o = x.to_py();
                if o.is_null() { ffi::Py_DecRef(l); return o; }
                ffi::PyList_SET_ITEM(l, i as ffi::Py_ssize_t, o);
            }
            l
        }
    }
    /// The entry point's conversion of a returned list.
    pub fn out<T: ToPy>(py: Python<'_>, v: T) -> PyResult<Py<PyAny>> {
        unsafe {
            let o = v.to_py();
            if o.is_null() { return Err(PyErr::fetch(py)); }
            Ok(Bound::from_owned_ptr(py, o).unbind())
        }
    }

    /// A list the function only appends to and returns (`out = []`,
    /// `out.append(x)`, `return out`): each item becomes its Python object
    /// when appended, straight into a list allocated once for the loop's
    /// trip count when that is known (rt::room), so the result needs no
    /// native buffer and no second pass. It holds Python objects, so the
    /// GIL stays held (such a function never runs detached); on Deopt the
    /// partly filled list is released with it. Invariant: the list's size
    /// is `cap`, items [0, len) are set and [len, cap) are NULL until
    /// to_py() cuts them off; until then the list is not tracked by the
    /// garbage collector, so a signal handler run at a check point
    /// (gc.get_objects()) cannot reach a list with NULL items.
    pub struct PyOut<T> { l: *mut ffi::PyObject, len: usize, cap: usize, _p: std::marker::PhantomData<T> }
    impl<T: ToPy> PyOut<T> {
        pub fn new() -> Self { PyOut { l: std::ptr::null_mut(), len: 0, cap: 0, _p: std::marker::PhantomData } }
        #[inline(always)]
        pub fn push(&mut self, x: T) -> R<()> {
            if self.len == self.cap { return self.push_grow(x); }
            self.put(x)
        }
        /// Grows, then pushes: x travels with the cold call (see rt::push).
        #[cold]
        #[inline(never)]
        fn push_grow(&mut self, x: T) -> R<()> {
            self.grow(1)?;
            self.put(x)
        }
        #[inline(always)]
        fn put(&mut self, x: T) -> R<()> {
            unsafe {
                let o = x.to_py();
                if o.is_null() { ffi::PyErr_Clear(); return Err(Deopt); }
                ffi::PyList_SET_ITEM(self.l, self.len as ffi::Py_ssize_t, o);
            }
            self.len += 1;
            Ok(())
        }
        /// Room for `extra` more items; the items move to a new list (a
        /// list's size cannot grow over NULL slots). Failure (MemoryError)
        /// re-runs Python, which then raises it itself.
        #[cold]
        fn grow(&mut self, extra: usize) -> R<()> {
            let want = self.len.checked_add(extra).ok_or(Deopt)?;
            let cap = want.max(self.cap.saturating_mul(2)).max(8);
            if cap > (isize::MAX as usize) / 8 { return Err(Deopt); }
            unsafe {
                let nl = ffi::PyList_New(cap as ffi::Py_ssize_t);
                if nl.is_null() { ffi::PyErr_Clear(); return Err(Deopt); }
                ffi::PyObject_GC_UnTrack(nl as *mut std::ffi::c_void);
                for i in 0..self.len as ffi::Py_ssize_t {
                    ffi::PyList_SET_ITEM(nl, i, ffi::PyList_GET_ITEM(self.l, i));
                    ffi::PyList_SET_ITEM(self.l, i, std::ptr::null_mut());
                }
                if !self.l.is_null() { ffi::Py_DecRef(self.l); }
                self.l = nl;
            }
            self.cap = cap;
            Ok(())
        }
    }
    impl<T: ToPy> Default for PyOut<T> { fn default() -> Self { PyOut::new() } }
    impl<T> Drop for PyOut<T> {
        fn drop(&mut self) { if !self.l.is_null() { unsafe { ffi::Py_DecRef(self.l) } } }
    }
    impl<T: ToPy> ToPy for PyOut<T> {
        unsafe fn to_py(mut self) -> *mut ffi::PyObject {
            if self.l.is_null() { return ffi::PyList_New(0); }
            let l = std::mem::replace(&mut self.l, std::ptr::null_mut());
            if self.len < self.cap
                && ffi::PyList_SetSlice(l, self.len as ffi::Py_ssize_t, self.cap as ffi::Py_ssize_t,
                                        std::ptr::null_mut()) != 0 {
                ffi::Py_DecRef(l);
                return std::ptr::null_mut();
            }
            ffi::PyObject_GC_Track(l as *mut std::ffi::c_void);
            l
        }
    }
    /// Room for n more appends (the trip count of the loop about to run),
    /// allocated fallibly: a size from the data must never abort.
    pub trait Room { fn room(&mut self, n: usize) -> R<()>; }
    impl<T> Room for Vec<T> {
        fn room(&mut self, n: usize) -> R<()> { reserve(self, n) }
    }
    impl<T: ToPy> Room for PyOut<T> {
        fn room(&mut self, n: usize) -> R<()> {
            if self.cap - self.len < n { self.grow(n)?; }
            Ok(())
        }
    }

    // ---- items of a result list of strs or tuples ----
    /// A new reference to a Python object, released when dropped: an item
    /// of an rt::PyOut of strs or tuples, made when it is appended (the
    /// tuple's items first, left to right, as Python evaluates them).
    pub struct Obj(*mut ffi::PyObject);
    impl Drop for Obj {
        fn drop(&mut self) { unsafe { ffi::Py_DecRef(self.0) } }
    }
    impl ToPy for Obj {
        #[inline(always)]
        unsafe fn to_py(self) -> *mut ffi::PyObject {
            let p = self.0;
            std::mem::forget(self);
            p
        }
    }
    impl ToPy for String {
        #[inline(always)]
        unsafe fn to_py(self) -> *mut ffi::PyObject { str_to_py(&self) }
    }
    /// A tuple of native values: its items made left to right, then the
    /// tuple (null when one fails; the others are released).
    macro_rules! tuple_to_py {
        ($($t:ident $i:tt),+) => {
            impl<$($t: ToPy),+> ToPy for ($($t,)+) {
                unsafe fn to_py(self) -> *mut ffi::PyObject {
                    match ($(obj_of(self.$i),)+) {
                        ($(Ok($t),)+) => tuple_raw([$($t),+]),
                        _ => std::ptr::null_mut(),
                    }
                }
            }
        };
    }
    tuple_to_py!(A 0);
    tuple_to_py!(A 0, B 1);
    tuple_to_py!(A 0, B 1, C 2);
    /// A str as a new Python str: what PyUnicode_DecodeUTF8 gives, so the
    /// empty str and one-character Latin-1 strs are CPython's own shared
    /// objects, as a slice of that length is in Python.
    #[inline(always)]
    unsafe fn str_to_py(s: &str) -> *mut ffi::PyObject {
        ffi::PyUnicode_FromStringAndSize(s.as_ptr() as *const std::ffi::c_char, s.len() as ffi::Py_ssize_t)
    }
    /// A native value as an rt::Obj; failure (MemoryError) re-runs Python.
    #[inline(always)]
    pub fn obj_of<T: ToPy>(x: T) -> R<Obj> {
        let p = unsafe { x.to_py() };
        if p.is_null() {
            unsafe { ffi::PyErr_Clear() };
            return Err(Deopt);
        }
        Ok(Obj(p))
    }
    /// A str as a new Python str (see str_to_py).
    #[inline(always)]
    pub fn obj_str(s: &str) -> R<Obj> {
        let p = unsafe { str_to_py(s) };
        if p.is_null() {
            unsafe { ffi::PyErr_Clear() };
            return Err(Deopt);
        }
        Ok(Obj(p))
    }
    unsafe fn tuple_raw<const N: usize>(items: [Obj; N]) -> *mut ffi::PyObject {
        let t = ffi::PyTuple_New(N as ffi::Py_ssize_t);
        if t.is_null() { return t; }
        for (i, o) in items.into_iter().enumerate() {
            ffi::PyTuple_SET_ITEM(t, i as ffi::Py_ssize_t, o.to_py());
        }
        t
    }
    /// A tuple display's new tuple, its items already made.
    #[inline(always)]
    pub fn tuple_of<const N: usize>(items: [Obj; N]) -> R<Obj> {
        let p = unsafe { tuple_raw(items) };
        if p.is_null() {
            unsafe { ffi::PyErr_Clear() };
            return Err(Deopt);
        }
        Ok(Obj(p))
    }
    /// A function's str constant: one object for all its uses in the
    /// function, made on first use the way CPython's compiler makes it
    /// (decoded, then interned when every character is an ASCII letter,
    /// digit or underscore), so that for such names, the empty str and
    /// one-character strs a result holds the very object Python's code
    /// would return.
    pub struct LitStr(std::sync::atomic::AtomicPtr<ffi::PyObject>);
    impl LitStr {
        pub const fn new() -> Self { LitStr(std::sync::atomic::AtomicPtr::new(std::ptr::null_mut())) }
    }
    #[inline(always)]
    pub fn lit(cell: &'static LitStr, s: &'static str) -> R<Obj> {
        let p = cell.0.load(std::sync::atomic::Ordering::Acquire);
        if p.is_null() { return lit_make(cell, s); }
        unsafe { ffi::Py_IncRef(p) };
        Ok(Obj(p))
    }
    #[cold]
    fn lit_make(cell: &'static LitStr, s: &'static str) -> R<Obj> {
        use std::sync::atomic::Ordering;
        let mut p = unsafe { str_to_py(s) };
        if p.is_null() {
            unsafe { ffi::PyErr_Clear() };
            return Err(Deopt);
        }
        if s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            unsafe { ffi::PyUnicode_InternInPlace(&mut p) };
        }
        // the cell keeps one reference for the module's lifetime
        match cell.0.compare_exchange(std::ptr::null_mut(), p, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {}
            Err(q) => {
                unsafe { ffi::Py_DecRef(p) };
                p = q;
            }
        }
        unsafe { ffi::Py_IncRef(p) };
        Ok(Obj(p))
    }
    /// Room for the trip count of `range(lo, hi)` (0 when empty).
    #[inline]
    pub fn room<L: Room>(l: &mut L, lo: i64, hi: i64) -> R<()> {
        if hi > lo { l.room((hi as i128 - lo as i128).min(isize::MAX as i128) as usize) } else { Ok(()) }
    }

    impl<'py> IntoPyObject<'py> for Never {
        type Target = PyAny;
        type Output = Bound<'py, PyAny>;
        type Error = PyErr;
        fn into_pyobject(self, _py: Python<'py>) -> PyResult<Bound<'py, PyAny>> { match self {} }
    }

    /// Binds positional and keyword arguments to parameter slots as Python
    /// would; None when Python would raise (the original then does).
    pub fn bind<'py, const N: usize>(args: &Bound<'py, PyTuple>, kwargs: Option<&Bound<'py, PyDict>>,
                                     names: [&str; N]) -> Option<[Option<Bound<'py, PyAny>>; N]> {
        let n = args.len();
        if n > N { return None; }
        let mut out: [Option<Bound<'py, PyAny>>; N] = std::array::from_fn(|_| None);
        for (i, slot) in out.iter_mut().enumerate().take(n) { *slot = Some(args.get_item(i).ok()?); }
        if let Some(kw) = kwargs {
            for (k, v) in kw.iter() {
                let k: String = k.extract().ok()?;
                let pos = names.iter().position(|nm| *nm == k)?;
                if out[pos].is_some() { return None; }
                out[pos] = Some(v);
            }
        }
        Some(out)
    }
    /// One argument: its exact-type native copy, or the default when absent.
    pub fn arg<T: Ext>(slot: &Option<Bound<'_, PyAny>>, dflt: Option<T>) -> Option<T> {
        match slot {
            Some(o) => unsafe { T::ext(o.as_ptr()) },
            None => dflt,
        }
    }
    /// Distinct objects (a mutated argument must not alias another).
    pub fn distinct(slots: &[&Option<Bound<'_, PyAny>>]) -> bool {
        for i in 0..slots.len() {
            for j in (i + 1)..slots.len() {
                if let (Some(a), Some(b)) = (slots[i], slots[j]) {
                    if a.as_ptr() == b.as_ptr() { return false; }
                }
            }
        }
        true
    }
    /// Writes a mutated list or dict argument back into the caller's object.
    pub trait WriteBack { fn write_back(&self, o: &Bound<'_, PyAny>) -> PyResult<()>; }
    impl<T: Clone + for<'py> IntoPyObject<'py>> WriteBack for Vec<T> {
        fn write_back(&self, o: &Bound<'_, PyAny>) -> PyResult<()> {
            let py = o.py();
            let new = self.clone().into_bound_py_any(py)?;
            let r = unsafe { ffi::PyList_SetSlice(o.as_ptr(), 0, ffi::PY_SSIZE_T_MAX, new.as_ptr()) };
            if r != 0 { return Err(PyErr::fetch(py)); }
            Ok(())
        }
    }
    impl<K: Clone + for<'py> IntoPyObject<'py>, V: Clone + for<'py> IntoPyObject<'py>> WriteBack for IndexMap<K, V> {
        fn write_back(&self, o: &Bound<'_, PyAny>) -> PyResult<()> {
            let d = o.cast::<PyDict>().map_err(|e| PyErr::from(e))?;
            d.clear();
            for (k, v) in self.iter() { d.set_item(k.clone(), v.clone())?; }
            Ok(())
        }
    }
    /// The typed call in progress on this thread (o::typed_call sets it;
    /// per thread, since typed code may run without the GIL): the
    /// object-tier version of the function, which a re-run takes instead
    /// of the original; whether it did; whether the original ran.
    pub struct TypedCall {
        pub alt: std::cell::Cell<*mut ffi::PyObject>,
        pub alt_used: std::cell::Cell<bool>,
        pub fell_back: std::cell::Cell<bool>,
    }
    thread_local! {
        pub static TYPED_CALL: TypedCall = const { TypedCall {
            alt: std::cell::Cell::new(std::ptr::null_mut()),
            alt_used: std::cell::Cell::new(false),
            fell_back: std::cell::Cell::new(false),
        } };
    }
    pub fn call_original(m: &Bound<'_, PyModule>, name: &str, args: &Bound<'_, PyTuple>,
                         kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Py<PyAny>> {
        let alt = TYPED_CALL.with(|t| {
            let a = t.alt.replace(std::ptr::null_mut());
            if !a.is_null() { t.alt_used.set(true); }
            a
        });
        let f = if !alt.is_null() {
            unsafe { Bound::from_borrowed_ptr(m.py(), alt) }
        } else {
            m.getattr(format!("_orig_{}", name))?
        };
        // Python 3.11 counted the call into this extension against the
        // recursion limit, which a direct call of the original does not:
        // give that level back while the original runs, so it reaches
        // RecursionError exactly where it would have without us.
        let give_back = !py_3_12();
        if give_back { unsafe { ffi::Py_LeaveRecursiveCall(); } }
        let r = f.call(args, kwargs);
        if give_back && unsafe { ffi::Py_EnterRecursiveCall(c"".as_ptr()) } != 0 {
            unsafe { ffi::PyErr_Clear(); }
        }
        if alt.is_null() { TYPED_CALL.with(|t| t.fell_back.set(true)); }
        Ok(r?.unbind())
    }

    // ---- formatting and sets (feat) ----
    /// int compared with float exactly, as CPython's float_richcompare
    /// (the int is never rounded to a float); None when the float is NaN.
    pub fn cmp_if(i: i64, f: f64) -> Option<std::cmp::Ordering> {
        use std::cmp::Ordering::*;
        if f.is_nan() { return None; }
        if i.unsigned_abs() <= EXACT { return (i as f64).partial_cmp(&f); }
        if f >= 9.223372036854775808e18 { return Some(Less); }
        if f < -9.223372036854775808e18 { return Some(Greater); }
        // |f| < 2**63: its integer part is an exact i64
        let t = f.trunc();
        match i.cmp(&(t as i64)) {
            Equal => { let fr = f - t; Some(if fr > 0.0 { Less } else if fr < 0.0 { Greater } else { Equal }) }
            o => Some(o),
        }
    }
    /// int | float operands of a comparison.
    pub fn cmp_n(a: Num, b: Num) -> Option<std::cmp::Ordering> {
        match (a, b) {
            (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
            (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
            (Num::I(x), Num::F(y)) => cmp_if(x, y),
            (Num::F(x), Num::I(y)) => cmp_if(y, x).map(|o| o.reverse()),
        }
    }
    #[inline] pub fn n_lt(a: Num, b: Num) -> bool { matches!(cmp_n(a, b), Some(std::cmp::Ordering::Less)) }
    #[inline] pub fn n_le(a: Num, b: Num) -> bool { matches!(cmp_n(a, b), Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)) }
    #[inline] pub fn n_gt(a: Num, b: Num) -> bool { matches!(cmp_n(a, b), Some(std::cmp::Ordering::Greater)) }
    #[inline] pub fn n_ge(a: Num, b: Num) -> bool { matches!(cmp_n(a, b), Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)) }
    #[inline] pub fn n_eq(a: Num, b: Num) -> bool { matches!(cmp_n(a, b), Some(std::cmp::Ordering::Equal)) }
    #[inline] pub fn n_ne(a: Num, b: Num) -> bool { !n_eq(a, b) }

    /// round(x, n) of a float: CPython's double_round, the decimal string
    /// correctly rounded (half-even on the exact binary value) and read
    /// back; an overflow (OverflowError) re-runs Python.
    pub fn round_fn(x: f64, n: i64) -> R<f64> {
        if !x.is_finite() || n > 323 { return Ok(x); }
        if n < -308 { return Ok(0.0 * x); }
        let s = if n >= 0 { format!("{:.*}", n as usize, x) } else { round_dec_neg(x, (-n) as usize) };
        let r: f64 = s.parse().map_err(|_| Deopt)?;
        if r.is_infinite() { return Err(Deopt); }
        Ok(r)
    }
    /// x rounded to a multiple of 10**k, half-even, from x's exact digits.
    fn round_dec_neg(x: f64, k: usize) -> String {
        let exact = format!("{:.1074}", x.abs());
        let (ip, fp) = exact.split_once('.').unwrap_or((&exact, ""));
        let mut digits: Vec<u8> = vec![b'0'; (k + 1).saturating_sub(ip.len())];
        digits.extend_from_slice(ip.as_bytes());
        let cut = digits.len() - k;
        let (head, tail) = digits.split_at(cut);
        let mut head = head.to_vec();
        let rest_nonzero = tail[1..].iter().any(|d| *d != b'0') || fp.bytes().any(|d| d != b'0');
        let up = match tail[0] {
            b'6'..=b'9' => true,
            b'5' => rest_nonzero || (head[head.len() - 1] - b'0') % 2 == 1,
            _ => false,
        };
        if up {
            let mut i = head.len();
            loop {
                if i == 0 { head.insert(0, b'1'); break; }
                i -= 1;
                if head[i] == b'9' { head[i] = b'0'; } else { head[i] += 1; break; }
            }
        }
        let mut out = String::new();
        if x.is_sign_negative() { out.push('-'); }
        out.push_str(std::str::from_utf8(&head).unwrap_or("0"));
        out.push_str(&format!("e{}", k));
        out
    }
    /// round(i, n) of an int: unchanged for n >= 0, else half-even to a
    /// multiple of 10**-n; beyond i64 re-runs Python.
    pub fn round_in(x: i64, n: i64) -> R<i64> {
        if n >= 0 { return Ok(x); }
        if n < -38 { return Ok(0); }
        let p = 10i128.pow((-n) as u32);
        let v = x as i128;
        let q = v.div_euclid(p);
        let r = v.rem_euclid(p);
        let q = if 2 * r > p || (2 * r == p && q % 2 != 0) { q + 1 } else { q };
        i64::try_from(q * p).map_err(|_| Deopt)
    }

    /// A format spec ([[fill]align][sign][0][width][,|_][.prec][type]),
    /// checked by the translator; fill and align already settled.
    pub struct Spec { pub fill: char, pub align: u8, pub sign: u8, pub width: usize, pub group: u8, pub prec: i32, pub ty: u8 }
    fn group_digits(d: &str, sep: u8, every: usize) -> String {
        if sep == 0 || d.len() <= every { return d.to_string(); }
        let mut out = String::with_capacity(d.len() + d.len() / every);
        let first = d.len() % every;
        for (i, c) in d.chars().enumerate() {
            if i > 0 && (i + every - first) % every == 0 { out.push(sep as char); }
            out.push(c);
        }
        out
    }
    /// Pads sign + body to the width as CPython's fill_number / format_string.
    fn pad_out(out: &mut String, sign: &str, body: &str, sp: &Spec, default_align: u8) {
        let n = sign.chars().count() + body.chars().count();
        let pad = sp.width.saturating_sub(n);
        let align = if sp.align == 0 { default_align } else { sp.align };
        let (l, r) = match align { b'>' => (pad, 0), b'^' => (pad / 2, pad - pad / 2), b'=' => (0, 0), _ => (0, pad) };
        for _ in 0..l { out.push(sp.fill); }
        out.push_str(sign);
        if align == b'=' { for _ in 0..pad { out.push(sp.fill); } }
        out.push_str(body);
        for _ in 0..r { out.push(sp.fill); }
    }
    fn sign_str(neg: bool, sp: &Spec) -> &'static str {
        if neg { "-" } else if sp.sign == b'+' { "+" } else if sp.sign == b' ' { " " } else { "" }
    }
    /// format(i, spec) of an int (float presentation types convert it).
    pub fn fmt_i(out: &mut String, v: i64, sp: &Spec) {
        if matches!(sp.ty, b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'%') { return fmt_f(out, v as f64, sp); }
        let a = v.unsigned_abs();
        let (d, every) = match sp.ty {
            b'x' => (format!("{:x}", a), 4),
            b'X' => (format!("{:X}", a), 4),
            b'o' => (format!("{:o}", a), 4),
            b'b' => (format!("{:b}", a), 4),
            _ => (a.to_string(), 3),
        };
        pad_out(out, sign_str(v < 0, sp), &group_digits(&d, sp.group, every), sp, b'>');
    }
    /// Python's exponent: a sign and at least two digits.
    fn py_exp(s: &str, upper: bool) -> String {
        let (m, e) = s.split_once('e').unwrap_or((s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        format!("{}{}{}{:02}", m, if upper { 'E' } else { 'e' }, if e < 0 { '-' } else { '+' }, e.abs())
    }
    fn strip_zeros(s: &str) -> &str {
        if !s.contains('.') { return s; }
        s.trim_end_matches('0').trim_end_matches('.')
    }
    /// 'g' of a finite non-negative a with p significant digits;
    /// dot0: the omitted type with a precision (repr-like: "x.0", and the
    /// exponent from p - 1 on).
    fn fmt_g(a: f64, p: usize, dot0: bool) -> String {
        let p = p.max(1);
        let e = format!("{:.*e}", p - 1, a);
        let x: i32 = e.split_once('e').map(|(_, x)| x.parse().unwrap_or(0)).unwrap_or(0);
        let lim = if dot0 { p as i32 - 1 } else { p as i32 };
        if x < -4 || x >= lim {
            let (m, _) = e.split_once('e').unwrap_or((&e, "0"));
            py_exp(&format!("{}e{}", strip_zeros(m), x), false)
        } else {
            let f = format!("{:.*}", (p as i32 - 1 - x).max(0) as usize, a);
            let s = strip_zeros(&f).to_string();
            if dot0 && !s.contains('.') { s + ".0" } else { s }
        }
    }
    /// format(x, spec) of a float.
    pub fn fmt_f(out: &mut String, v: f64, sp: &Spec) {
        let upper = matches!(sp.ty, b'E' | b'F' | b'G');
        let neg = !v.is_nan() && v.is_sign_negative();
        let a = v.abs();
        let mut body = if !v.is_finite() {
            let s = if v.is_nan() { "nan" } else { "inf" };
            let s = if upper { s.to_uppercase() } else { s.to_string() };
            if sp.ty == b'%' { s + "%" } else { s }
        } else {
            let p = if sp.prec < 0 { 6 } else { sp.prec as usize };
            match sp.ty {
                b'f' | b'F' => format!("{:.*}", p, a),
                b'%' => format!("{:.*}%", p, a * 100.0),
                b'e' | b'E' => py_exp(&format!("{:.*e}", p, a), upper),
                b'g' | b'G' => { let s = fmt_g(a, p, false); if upper { s.to_uppercase() } else { s } }
                _ => if sp.prec < 0 { repr_f(a) } else { fmt_g(a, p, true) },
            }
        };
        if sp.group != 0 && v.is_finite() {
            let end = body.find(|c: char| !c.is_ascii_digit()).unwrap_or(body.len());
            body = group_digits(&body[..end], sp.group, 3) + &body[end..];
        }
        pad_out(out, sign_str(neg, sp), &body, sp, b'>');
    }
    /// format(s, spec) of a str (precision truncates, in code points).
    pub fn fmt_s(out: &mut String, s: &str, sp: &Spec) {
        if sp.prec >= 0 {
            let t: String = s.chars().take(sp.prec as usize).collect();
            pad_out(out, "", &t, sp, b'<');
        } else {
            pad_out(out, "", s, sp, b'<');
        }
    }
    /// repr(s) of an ASCII str (other text re-runs Python: its
    /// printable-character tables are not copied here).
    pub fn repr_s(s: &str) -> R<String> {
        if !s.is_ascii() { return Err(Deopt); }
        let q = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
        let mut out = String::with_capacity(s.len() + 2);
        out.push(q);
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c == q => { out.push('\\'); out.push(c); }
                c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push(q);
        Ok(out)
    }
    /// '%d' of a float: int(x) (NaN and inf raise, huge re-runs).
    pub fn pct_int(x: f64) -> R<i64> { if x.is_finite() { to_i64(x.trunc()) } else { Err(Deopt) } }

    /// A set argument: its elements, each of the exact type, in the set's
    /// iteration order.
    impl<K: Ext + Hash + Eq> Ext for IndexSet<K> {
        unsafe fn ext(o: *mut ffi::PyObject) -> Option<IndexSet<K>> {
            if ffi::PySet_CheckExact(o) == 0 { return None; }
            let it = ffi::PyObject_GetIter(o);
            if it.is_null() { ffi::PyErr_Clear(); return None; }
            let mut s = IndexSet::with_capacity(ffi::PySet_Size(o) as usize);
            let mut ok = true;
            loop {
                let k = ffi::PyIter_Next(it);
                if k.is_null() { break; }
                match K::ext(k) { Some(v) => { s.insert(v); } None => ok = false }
                ffi::Py_DECREF(k);
                if !ok { break; }
            }
            ffi::Py_DECREF(it);
            if !ffi::PyErr_Occurred().is_null() { ffi::PyErr_Clear(); return None; }
            if ok { Some(s) } else { None }
        }
    }
    /// A returned set: a new Python set filled in the order the native set
    /// was first filled, the same sequence of additions CPython made, so
    /// its layout (and iteration order) is the original's. The translator
    /// only returns sets that were never removed from.
    pub fn set_out<K: Clone + for<'py> IntoPyObject<'py>>(py: Python<'_>, s: IndexSet<K>) -> PyResult<Py<PyAny>> {
        let out = pyo3::types::PySet::empty(py)?;
        for k in s.iter() { out.add(k.clone())?; }
        Ok(out.into_any().unbind())
    }
}
