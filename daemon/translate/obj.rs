// The object tier's runtime (module o): Python objects held as owned
// references, every operation the C-API entry point CPython's bytecode
// calls, so that native code does exactly what the interpreter does.
// Errors are Err(X): the exception is set in the interpreter, as in C.
// Also the native function type (NFn) that replaces a Python function or
// method: it binds arguments like a function, binds to instances like a
// function (a method descriptor, so LOAD_METHOD makes no bound method),
// and shows the original's attributes (__name__, __doc__, __defaults__,
// __wrapped__, __dict__, ...), which stay the original function's own.
#[allow(non_upper_case_globals, clippy::missing_safety_doc)]
pub mod o {
    use pyo3::ffi;
    use std::ffi::{c_char, c_int, c_void, CStr};
    use std::ptr::{null_mut, NonNull};

    pub type P = *mut ffi::PyObject;

    /// An owned (strong) reference.
    #[repr(transparent)]
    pub struct O(NonNull<ffi::PyObject>);

    /// An exception is set in the interpreter.
    pub struct X;
    pub type R<T> = Result<T, X>;

    impl O {
        #[inline]
        pub unsafe fn own(p: P) -> R<O> {
            match NonNull::new(p) { Some(n) => Ok(O(n)), None => Err(X) }
        }
        #[inline]
        pub unsafe fn borrow(p: P) -> O { ffi::Py_INCREF(p); O(NonNull::new_unchecked(p)) }
        #[inline]
        pub fn p(&self) -> P { self.0.as_ptr() }
        #[inline]
        pub fn into_raw(self) -> P { let p = self.p(); std::mem::forget(self); p }
    }
    impl Drop for O {
        #[inline]
        fn drop(&mut self) { unsafe { ffi::Py_DECREF(self.p()) } }
    }
    impl Clone for O {
        #[inline]
        fn clone(&self) -> O { unsafe { O::borrow(self.p()) } }
    }

    extern "C" {
        fn _PyType_Lookup(t: *mut ffi::PyTypeObject, name: P) -> P;
        fn _PyObject_GetMethod(obj: P, name: P, method: *mut P) -> c_int;
        fn PyMethod_New(f: P, s: P) -> P;
        static mut PyTraceBack_Type: ffi::PyTypeObject;
        fn PyUnicode_InternFromString(s: *const c_char) -> P;
        fn _PySet_NextEntry(set: P, pos: *mut isize, key: *mut P, hash: *mut isize) -> c_int;
        fn _PyThreadState_UncheckedGet() -> *mut ffi::PyThreadState;
        fn _Py_CheckRecursiveCall(ts: *mut ffi::PyThreadState, w: *const c_char) -> c_int;
    }

    // ---- interpreter facts read at import ----

    pub static mut PY_MINOR: u32 = 11;
    pub static mut ASSERTS: bool = true;
    static mut BUILTIN_SUPER: P = null_mut();
    static mut EMPTY_STR: P = null_mut();
    static mut S_ENTER: P = null_mut();
    static mut S_EXIT: P = null_mut();
    static mut S_NAME: P = null_mut();
    static mut S_QUALNAME: P = null_mut();
    static mut S_MODULE: P = null_mut();
    static mut S_IMPORT: P = null_mut();
    static mut S_KEYS: P = null_mut();
    static mut S_WRAPPED: P = null_mut();
    static mut S_BUILTINS: P = null_mut();
    static mut S_CLASS: P = null_mut();
    static mut LIST_APPEND: P = null_mut();
    static mut DICT_GET: P = null_mut();
    static mut S_INIT: P = null_mut();
    /// The interpreter's one-character strs of U+0000..U+00FF (what
    /// PyUnicode_FromOrdinal and s[i] return for them), or nulls.
    static mut LATIN1: [P; 256] = [null_mut(); 256];
    static mut EMPTY_TUPLE: P = null_mut();
    /// builtins.globals, locals, vars, dir, eval, exec as at import: the
    /// calls that read the caller's frame, answered for the native one.
    static mut FRAME_BUILTINS: [P; 6] = [null_mut(); 6];
    /// builtins.sum, any, all, min, max, sorted, list, tuple, set as at
    /// import: a generator expression passed alone to one of them runs
    /// inline (oemit.c's consumer numbers).
    static mut CONSUMERS: [P; 9] = [null_mut(); 9];
    /// builtins.len and isinstance as at import: a call of either object
    /// (whatever name reached it) on an exact list, tuple, str, dict or
    /// set, or an instance of exactly the class asked, is answered
    /// without the call (CPython 3.11's PRECALL_NO_KW_LEN and _ISINSTANCE).
    static mut BUILTIN_LEN: P = null_mut();
    static mut BUILTIN_ISINSTANCE: P = null_mut();
    /// builtins.hash as at import: hash(x) is builtin_hash's own body
    /// (PyObject_Hash, then the int), without the call (counted against
    /// the recursion limit as the interpreter counts a C call).
    static mut BUILTIN_HASH: P = null_mut();

    unsafe fn intern(s: &CStr) -> P { PyUnicode_InternFromString(s.as_ptr()) }

    unsafe fn init_runtime() -> R<()> {
        if !S_ENTER.is_null() { return Ok(()); }
        let sys = O::own(ffi::PyImport_ImportModule(c"sys".as_ptr()))?;
        let vi = O::own(ffi::PyObject_GetAttrString(sys.p(), c"version_info".as_ptr()))?;
        let minor = O::own(ffi::PySequence_GetItem(vi.p(), 1))?;
        PY_MINOR = ffi::PyLong_AsLong(minor.p()) as u32;
        rec_selftest();
        let flags = O::own(ffi::PyObject_GetAttrString(sys.p(), c"flags".as_ptr()))?;
        let opt = O::own(ffi::PyObject_GetAttrString(flags.p(), c"optimize".as_ptr()))?;
        ASSERTS = ffi::PyLong_AsLong(opt.p()) == 0;
        BUILTIN_SUPER = std::ptr::addr_of_mut!(ffi::PySuper_Type) as P;
        EMPTY_STR = O::own(ffi::PyUnicode_FromStringAndSize(c"".as_ptr(), 0))?.into_raw();
        S_ENTER = intern(c"__enter__");
        S_EXIT = intern(c"__exit__");
        S_NAME = intern(c"__name__");
        S_QUALNAME = intern(c"__qualname__");
        S_MODULE = intern(c"__module__");
        S_IMPORT = intern(c"__import__");
        S_KEYS = intern(c"keys");
        S_WRAPPED = intern(c"__wrapped__");
        S_BUILTINS = intern(c"__builtins__");
        S_CLASS = intern(c"__class__");
        S_INIT = intern(c"__init__");
        for ch in 0..256 {
            // kept only when the interpreter hands out one object per
            // character (its singletons), as unicode_getitem does
            let x = ffi::PyUnicode_FromOrdinal(ch);
            let y = ffi::PyUnicode_FromOrdinal(ch);
            if !x.is_null() && x == y { LATIN1[ch as usize] = x; } else { ffi::Py_XDECREF(x); }
            ffi::Py_XDECREF(y);
            ffi::PyErr_Clear();
        }
        EMPTY_TUPLE = O::own(ffi::PyTuple_New(0))?.into_raw();
        DICT_VERSIONS = dict_versions_selftest();
        DICT_ENTRIES = dict_entries_selftest();
        {
            let t = std::ptr::addr_of_mut!(ffi::PyList_Type) as P;
            let d = ffi::PyObject_GetAttrString(t, c"append".as_ptr());
            if d.is_null() { return Err(X); }
            LIST_APPEND = d;
            let t = std::ptr::addr_of_mut!(ffi::PyDict_Type) as P;
            let g = ffi::PyObject_GetAttrString(t, c"get".as_ptr());
            if g.is_null() { return Err(X); }
            DICT_GET = g;
        }
        ATTR_FAST = attr_selftest();
        RANGE_FAST = range_selftest();
        let b = O::own(ffi::PyImport_ImportModule(c"builtins".as_ptr()))?;
        for (i, n) in [c"globals", c"locals", c"vars", c"dir", c"eval", c"exec"].iter().enumerate() {
            FRAME_BUILTINS[i] = ffi::PyObject_GetAttrString(b.p(), n.as_ptr());
            if FRAME_BUILTINS[i].is_null() { return Err(X); }
        }
        for (i, n) in [c"sum", c"any", c"all", c"min", c"max", c"sorted", c"list", c"tuple",
                       c"set"].iter().enumerate() {
            CONSUMERS[i] = ffi::PyObject_GetAttrString(b.p(), n.as_ptr());
            if CONSUMERS[i].is_null() { return Err(X); }
        }
        // math.sqrt, for loops holding attributes in registers (none
        // when math cannot be imported)
        let m = ffi::PyImport_ImportModule(c"math".as_ptr());
        if m.is_null() {
            ffi::PyErr_Clear();
        } else {
            MATH_SQRT = ffi::PyObject_GetAttrString(m, c"sqrt".as_ptr());
            if MATH_SQRT.is_null() { ffi::PyErr_Clear(); }
            ffi::Py_DECREF(m);
        }
        BUILTIN_LEN = O::own(ffi::PyObject_GetAttrString(b.p(), c"len".as_ptr()))?.into_raw();
        BUILTIN_ISINSTANCE = O::own(ffi::PyObject_GetAttrString(b.p(), c"isinstance".as_ptr()))?.into_raw();
        BUILTIN_HASH = O::own(ffi::PyObject_GetAttrString(b.p(), c"hash".as_ptr()))?.into_raw();
        init_nfn_type()
    }

    /// The module's constants: literals evaluated by Python from their
    /// source text (exact by construction), interned names, keyword-name
    /// tuples.
    pub unsafe fn init_consts(k: *mut P, n: usize, eval_src: &str, eval_ix: &[u32],
                              names: &[(u32, &str)], kwnames: &[(u32, &[u32])]) -> R<()> {
        init_runtime()?;
        for &(i, s) in names {
            let o = O::own(ffi::PyUnicode_FromStringAndSize(s.as_ptr() as *const c_char, s.len() as isize))?;
            let mut p = o.into_raw();
            ffi::PyUnicode_InternInPlace(&mut p);
            *k.add(i as usize) = p;
        }
        if !eval_ix.is_empty() {
            let src = std::ffi::CString::new(format!("({})", eval_src)).map_err(|_| raise_str(ffi::PyExc_SystemError, "constants: NUL"))?;
            let code = O::own(ffi::Py_CompileString(src.as_ptr(), c"<rustify constants>".as_ptr(), ffi::Py_eval_input))?;
            let g = O::own(ffi::PyDict_New())?;
            let b = O::own(ffi::PyImport_ImportModule(c"builtins".as_ptr()))?;
            if ffi::PyDict_SetItemString(g.p(), c"__builtins__".as_ptr(), b.p()) < 0 { return Err(X); }
            let tup = O::own(ffi::PyEval_EvalCode(code.p(), g.p(), g.p()))?;
            if ffi::PyTuple_Size(tup.p()) != eval_ix.len() as isize {
                return Err(raise_str(ffi::PyExc_SystemError, "constants: count mismatch"));
            }
            for (j, &i) in eval_ix.iter().enumerate() {
                let v = ffi::PyTuple_GetItem(tup.p(), j as isize);
                ffi::Py_INCREF(v);
                *k.add(i as usize) = v;
            }
        }
        for &(i, ns) in kwnames {
            let t = O::own(ffi::PyTuple_New(ns.len() as isize))?;
            for (j, &ni) in ns.iter().enumerate() {
                let s = *k.add(ni as usize);
                ffi::Py_INCREF(s);
                ffi::PyTuple_SetItem(t.p(), j as isize, s);
            }
            *k.add(i as usize) = t.into_raw();
        }
        for j in 0..n {
            if (*k.add(j)).is_null() {
                return Err(raise_str(ffi::PyExc_SystemError, "constants: hole"));
            }
        }
        Ok(())
    }

    #[inline]
    pub unsafe fn k(p: P) -> O { O::borrow(p) }

    // ---- errors ----

    #[cold]
    pub unsafe fn raise_str(t: P, msg: &str) -> X {
        let m = std::ffi::CString::new(msg.replace('\0', "?")).unwrap();
        ffi::PyErr_SetString(t, m.as_ptr());
        X
    }

    unsafe fn type_name(o: P) -> String {
        let t = ffi::Py_TYPE(o);
        CStr::from_ptr((*t).tp_name).to_string_lossy().into_owned()
    }

    unsafe fn str_of(o: P) -> String {
        let mut n: isize = 0;
        let s = ffi::PyUnicode_AsUTF8AndSize(o, &mut n);
        if s.is_null() { ffi::PyErr_Clear(); return String::from("?"); }
        String::from_utf8_lossy(std::slice::from_raw_parts(s as *const u8, n as usize)).into_owned()
    }

    /// The current exception, normalized, its traceback attached: the
    /// value an except clause binds.
    pub unsafe fn fetch() -> O {
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
        ffi::PyErr_NormalizeException(&mut t, &mut v, &mut tb);
        if !tb.is_null() {
            ffi::PyException_SetTraceback(v, tb);
            ffi::Py_DECREF(tb);
        }
        ffi::Py_XDECREF(t);
        if v.is_null() {
            // Not reached: an error path always has an exception set.
            v = ffi::Py_None();
            ffi::Py_INCREF(v);
        }
        O(NonNull::new_unchecked(v))
    }

    /// Raises exc again, with the traceback it carries (a re-raise adds
    /// no traceback entry).
    pub unsafe fn restore(exc: O) {
        let t = ffi::Py_TYPE(exc.p()) as P;
        ffi::Py_INCREF(t);
        let tb = ffi::PyException_GetTraceback(exc.p());
        ffi::PyErr_Restore(t, exc.into_raw(), tb);
    }

    /// Makes exc the handled exception (sys.exc_info()) as CPython does
    /// on entering an except or finally block; returns the previous one.
    pub unsafe fn push_handled(exc: &O) -> Option<O> {
        let prev = ffi::PyErr_GetHandledException();
        ffi::PyErr_SetHandledException(exc.p());
        if prev.is_null() { None } else { Some(O(NonNull::new_unchecked(prev))) }
    }

    pub unsafe fn pop_handled(prev: &Option<O>) {
        match prev {
            Some(p) if p.p() != ffi::Py_None() => ffi::PyErr_SetHandledException(p.p()),
            _ => ffi::PyErr_SetHandledException(null_mut()),
        }
    }

    /// except T: (T a class or a tuple of classes, checked as CPython).
    pub unsafe fn exc_match(exc: &O, t: O) -> R<bool> {
        let tp = t.p();
        let valid = |c: P| ffi::PyExceptionClass_Check(c) != 0;
        if ffi::PyTuple_Check(tp) != 0 {
            for i in 0..ffi::PyTuple_GET_SIZE(tp) {
                if !valid(ffi::PyTuple_GET_ITEM(tp, i)) {
                    return Err(raise_str(ffi::PyExc_TypeError, "catching classes that do not inherit from BaseException is not allowed"));
                }
            }
        } else if !valid(tp) {
            return Err(raise_str(ffi::PyExc_TypeError, "catching classes that do not inherit from BaseException is not allowed"));
        }
        Ok(ffi::PyErr_GivenExceptionMatches(exc.p(), tp) != 0)
    }

    unsafe fn instantiate(c: P) -> R<O> {
        if ffi::PyExceptionClass_Check(c) != 0 {
            let v = O::own(ffi::PyObject_CallNoArgs(c))?;
            if ffi::PyExceptionInstance_Check(v.p()) == 0 {
                let m = format!("calling {} should have returned an instance of BaseException, not {}",
                                repr_str(c), repr_str(ffi::Py_TYPE(v.p()) as P));
                return Err(raise_str(ffi::PyExc_TypeError, &m));
            }
            return Ok(v);
        }
        Ok(O::borrow(c))
    }

    unsafe fn repr_str(o: P) -> String {
        match O::own(ffi::PyObject_Repr(o)) { Ok(r) => str_of(r.p()), Err(_) => { ffi::PyErr_Clear(); "?".into() } }
    }

    /// raise exc [from cause] (CPython's do_raise). Always Err.
    pub unsafe fn raise(exc: O, cause: Option<O>) -> R<()> {
        let value;
        if ffi::PyExceptionClass_Check(exc.p()) != 0 {
            value = instantiate(exc.p())?;
        } else if ffi::PyExceptionInstance_Check(exc.p()) != 0 {
            value = exc;
        } else {
            return Err(raise_str(ffi::PyExc_TypeError, "exceptions must derive from BaseException"));
        }
        if let Some(c) = cause {
            let fixed: P;
            if ffi::PyExceptionClass_Check(c.p()) != 0 {
                fixed = instantiate(c.p())?.into_raw();
            } else if ffi::PyExceptionInstance_Check(c.p()) != 0 {
                fixed = c.into_raw();
            } else if c.p() == ffi::Py_None() {
                fixed = null_mut();
            } else {
                return Err(raise_str(ffi::PyExc_TypeError, "exception causes must derive from BaseException"));
            }
            ffi::PyException_SetCause(value.p(), fixed);
        }
        ffi::PyErr_SetObject(ffi::Py_TYPE(value.p()) as P, value.p());
        Err(X)
    }

    /// Bare raise: re-raises the handled exception. true when there is
    /// none (a new RuntimeError, which gets a traceback entry).
    pub unsafe fn reraise() -> bool {
        let h = ffi::PyErr_GetHandledException();
        if h.is_null() || h == ffi::Py_None() {
            ffi::Py_XDECREF(h);
            raise_str(ffi::PyExc_RuntimeError, "No active exception to reraise");
            return true;
        }
        restore(O(NonNull::new_unchecked(h)));
        false
    }

    pub unsafe fn assert_fail(msg: Option<O>) -> R<()> {
        let e = match msg {
            Some(m) => O::own(ffi::PyObject_CallOneArg(ffi::PyExc_AssertionError, m.p()))?,
            None => O::borrow(ffi::PyExc_AssertionError),
        };
        raise(e, None)
    }

    /// Where an error happened: a position of the function, or inside
    /// inlined comprehensions (each a frame of its own in CPython): their
    /// nested code and position, innermost first, then the function's.
    pub enum Tb {
        Pos((u32, u32, u32, u32)),
        /// entries of inlined comprehension frames, innermost first, then
        /// the function's own (None: they stop at an inlined generator
        /// expression, whose consumer adds the rest)
        Comp(&'static [(usize, (u32, u32, u32, u32))], Option<(u32, u32, u32, u32)>),
    }
    impl From<(u32, u32, u32, u32)> for Tb {
        fn from(p: (u32, u32, u32, u32)) -> Tb { Tb::Pos(p) }
    }

    /// Adds the native frame's entry (the original file, function and
    /// line), after those of the comprehensions it was in, to the
    /// traceback of the exception being raised.
    #[cold]
    #[inline(never)]
    pub unsafe fn tb<T: Into<Tb>>(cx: &NFn, at: T) {
        match at.into() {
            Tb::Pos(p) => tb_at(cx, p),
            Tb::Comp(chain, outer) => {
                for &(i, p) in chain {
                    tb_comp(cx, i, p);
                }
                if let Some(outer) = outer { tb_at(cx, outer); }
            }
        }
    }

    /// The entry of an inlined comprehension's frame.
    unsafe fn tb_comp(cx: &NFn, i: usize, at: (u32, u32, u32, u32)) {
        let code = ffi::PyTuple_GET_ITEM(cx.nested, i as isize);
        if code == ffi::Py_None() { return; }
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
        let f = ffi::PyFrame_New(ffi::PyThreadState_Get(), code as *mut ffi::PyCodeObject, cx.globals, null_mut());
        if f.is_null() { ffi::PyErr_Clear(); ffi::PyErr_Restore(t, v, tb); return; }
        let lasti = lasti_in(code, at);
        let newtb = tb_entry(tb, f as P, lasti, at.0 as i64);
        ffi::Py_DECREF(f as P);
        if newtb.is_null() { ffi::PyErr_Clear(); ffi::PyErr_Restore(t, v, tb); return; }
        ffi::Py_XDECREF(tb);
        ffi::PyErr_Restore(t, v, newtb);
    }

    /// A traceback entry (next, frame, lasti, lineno): a new reference,
    /// or null with an error set. As traceback.__new__ makes it; once one
    /// made so has been seen to hold its fields where
    /// cpython/traceback.h's PyTracebackObject puts them (tb_next,
    /// tb_frame, then the int tb_lasti and tb_lineno), the object is made
    /// as tb_create_raw makes it: allocated, the fields set, tracked,
    /// without the call's argument tuple and int objects.
    unsafe fn tb_entry(next: P, frame: P, lasti: i64, line: i64) -> P {
        let ty = std::ptr::addr_of_mut!(PyTraceBack_Type);
        if TB_DIRECT == 2 && lasti == lasti as c_int as i64 && line == line as c_int as i64 {
            let o = ffi::PyType_GenericAlloc(ty, 0);
            if o.is_null() { return o; }
            let f = o as *mut u8;
            if !next.is_null() { ffi::Py_INCREF(next); }
            *(f.add(16) as *mut P) = next;
            ffi::Py_INCREF(frame);
            *(f.add(24) as *mut P) = frame;
            *(f.add(32) as *mut c_int) = lasti as c_int;
            *(f.add(36) as *mut c_int) = line as c_int;
            return o;
        }
        let (l, n) = (ffi::PyLong_FromLongLong(lasti), ffi::PyLong_FromLongLong(line));
        if l.is_null() || n.is_null() {
            ffi::Py_XDECREF(l);
            ffi::Py_XDECREF(n);
            return null_mut();
        }
        let args = [if next.is_null() { ffi::Py_None() } else { next }, frame, l, n];
        let o = ffi::PyObject_Vectorcall(ty as P, args.as_ptr(), 4, null_mut());
        ffi::Py_DECREF(l);
        ffi::Py_DECREF(n);
        if TB_DIRECT == 0 && !o.is_null() {
            let f = o as *const u8;
            TB_DIRECT = if ffi::Py_TYPE(o) == ty && (*ty).tp_basicsize == 40
                && (*ty).tp_alloc.map(|a| a as usize) == Some(ffi::PyType_GenericAlloc as ffi::allocfunc as usize)
                && *(f.add(16) as *const P) == next && *(f.add(24) as *const P) == frame
                && *(f.add(32) as *const c_int) as i64 == lasti
                && *(f.add(36) as *const c_int) as i64 == line { 2 } else { 1 };
        }
        o
    }
    /// tb_entry's way: 0 not known yet, 1 through traceback.__new__, 2
    /// made in place.
    static mut TB_DIRECT: u8 = 0;

    unsafe fn tb_at(cx: &NFn, at: (u32, u32, u32, u32)) {
        let line = at.0;
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
        let mut frame = cx.frame.get();
        if frame.is_null() {
            let f = ffi::PyFrame_New(ffi::PyThreadState_Get(), cx.code as *mut ffi::PyCodeObject,
                                     cx.globals, null_mut());
            if f.is_null() { ffi::PyErr_Clear(); ffi::PyErr_Restore(t, v, tb); return; }
            frame = f as P;
            cx.frame.set(frame);
        }
        let lasti = lasti_for(cx, at);
        let newtb = tb_entry(tb, frame, lasti, line as i64);
        if newtb.is_null() {
            ffi::PyErr_Clear();
            ffi::PyErr_Restore(t, v, tb);
            return;
        }
        ffi::Py_XDECREF(tb);
        ffi::PyErr_Restore(t, v, newtb);
    }

    /// The traceback's instruction offset for a line: of the original's
    /// instructions on that line, the widest (a whole statement when there
    /// is one), so that tracebacks print the line without pointing at a
    /// part of it the native code may not have failed in. -1 when none.
    unsafe fn lasti_for(cx: &NFn, at: (u32, u32, u32, u32)) -> i64 {
        // the last few positions asked, before the dict (whose key is an
        // int object made for each look-up); the code is the function's
        // own for as long as it lives
        let h = (at.0 as usize).wrapping_mul(31) ^ (at.1 as usize).wrapping_mul(7) ^ at.2 as usize ^ at.3 as usize;
        let slot = &cx.lasti[h % cx.lasti.len()];
        let (k, v, ok) = slot.get();
        if ok && k == at { return v; }
        let v = lasti_dict(cx, at);
        slot.set((at, v, true));
        v
    }

    unsafe fn lasti_dict(cx: &NFn, at: (u32, u32, u32, u32)) -> i64 {
        let line = at.0;
        let key = ffi::PyLong_FromLongLong(((at.0 as i64) << 42) ^ ((at.1 as i64) << 28) ^ ((at.2 as i64) << 14) ^ at.3 as i64);
        if key.is_null() { ffi::PyErr_Clear(); return -1; }
        let key = O(NonNull::new_unchecked(key));
        let mut cache = cx.tbcache.get();
        if cache.is_null() {
            cache = ffi::PyDict_New();
            if cache.is_null() { ffi::PyErr_Clear(); return -1; }
            cx.tbcache.set(cache);
        }
        let hit = ffi::PyDict_GetItemWithError(cache, key.p());
        if !hit.is_null() { return ffi::PyLong_AsLongLong(hit); }
        ffi::PyErr_Clear();
        let best = lasti_in(cx.code, at);
        let v = ffi::PyLong_FromLongLong(best);
        if !v.is_null() { ffi::PyDict_SetItem(cache, key.p(), v); ffi::Py_DECREF(v); }
        ffi::PyErr_Clear();
        best
    }

    unsafe fn lasti_in(code: P, at: (u32, u32, u32, u32)) -> i64 {
        let line = at.0;
        let mut best: i64 = -1;
        let mut bestw: i64 = -1;
        let it = ffi::PyObject_CallMethod(code, c"co_positions".as_ptr(), std::ptr::null());
        if !it.is_null() {
            let it = O(NonNull::new_unchecked(it));
            let mut i: i64 = 0;
            loop {
                let t = ffi::PyIter_Next(it.p());
                if t.is_null() { break; }
                let t = O(NonNull::new_unchecked(t));
                let get = |k: isize| -> i64 {
                    let v = ffi::PyTuple_GetItem(t.p(), k);
                    if v.is_null() || v == ffi::Py_None() { return -1; }
                    ffi::PyLong_AsLongLong(v)
                };
                let (l1, l2, c1, c2) = (get(0), get(1), get(2), get(3));
                if (l1, l2, c1, c2) == (at.0 as i64, at.2 as i64, at.1 as i64, at.3 as i64) {
                    // the very expression: CPython's carets
                    best = 2 * i;
                    break;
                }
                if l1 == line as i64 && l2 == line as i64 && c1 >= 0 && c2 >= c1 && c2 - c1 > bestw {
                    bestw = c2 - c1;
                    best = 2 * i;
                }
                i += 1;
            }
        }
        ffi::PyErr_Clear();
        best
    }

    // ---- names ----

    #[cold]
    unsafe fn unbound_local(name: P) -> X {
        let m = format!("cannot access local variable '{}' where it is not associated with a value", str_of(name));
        let m = if PY_MINOR < 11 { format!("local variable '{}' referenced before assignment", str_of(name)) } else { m };
        raise_str(ffi::PyExc_UnboundLocalError, &m)
    }

    #[cold]
    unsafe fn unbound_free(name: P) -> X {
        let m = if PY_MINOR < 11 {
            format!("free variable '{}' referenced before assignment in enclosing scope", str_of(name))
        } else {
            format!("cannot access free variable '{}' where it is not associated with a value in enclosing scope", str_of(name))
        };
        name_error(&m, name)
    }

    unsafe fn name_error(msg: &str, name: P) -> X {
        let m = std::ffi::CString::new(msg).unwrap();
        let s = ffi::PyUnicode_FromString(m.as_ptr());
        if s.is_null() { return X; }
        let e = ffi::PyObject_CallOneArg(ffi::PyExc_NameError, s);
        ffi::Py_DECREF(s);
        if e.is_null() { return X; }
        if ffi::PyObject_SetAttrString(e, c"name".as_ptr(), name) < 0 { ffi::PyErr_Clear(); }
        ffi::PyErr_SetObject(ffi::PyExc_NameError, e);
        ffi::Py_DECREF(e);
        X
    }

    #[inline]
    pub unsafe fn ld(v: &Option<O>, name: P) -> R<O> {
        match v { Some(o) => Ok(o.clone()), None => Err(unbound_local(name)) }
    }

    /// A local's value, borrowed from the variable (for an operation that
    /// only reads it: the native code alone can rebind the variable).
    #[inline]
    pub unsafe fn ldp(v: &Option<O>, name: P) -> R<P> {
        match v { Some(o) => Ok(o.p()), None => Err(unbound_local(name)) }
    }

    #[inline]
    pub unsafe fn ldp_outer(v: &Option<O>, name: P) -> R<P> {
        match v { Some(o) => Ok(o.p()), None => Err(unbound_free(name)) }
    }

    /// A local read from inside an inlined comprehension (CPython: a free
    /// variable of the comprehension's frame).
    #[inline]
    pub unsafe fn ld_outer(v: &Option<O>, name: P) -> R<O> {
        match v { Some(o) => Ok(o.clone()), None => Err(unbound_free(name)) }
    }

    pub unsafe fn del_local<T>(v: &mut Option<T>, name: P) -> R<()> {
        if v.is_none() { return Err(unbound_local(name)); }
        *v = None;
        Ok(())
    }

    pub unsafe fn new_cell(v: Option<O>) -> O {
        let p = match &v { Some(o) => o.p(), None => null_mut() };
        O(NonNull::new_unchecked(ffi::PyCell_New(p)))
    }

    #[inline]
    pub unsafe fn ld_cell(c: &O, name: P, outer: bool) -> R<O> {
        let v = ffi::PyCell_Get(c.p());
        if v.is_null() {
            return Err(if outer { unbound_free(name) } else { unbound_local(name) });
        }
        Ok(O(NonNull::new_unchecked(v)))
    }

    #[inline]
    pub unsafe fn st_cell(c: &O, v: O) { ffi::PyCell_Set(c.p(), v.p()); }

    #[inline]
    pub unsafe fn cell_bound(c: &O) -> bool { !(*(c.p() as *mut ffi::PyCellObject)).ob_ref.is_null() }

    pub unsafe fn del_cell(c: &O, name: P) -> R<()> {
        let v = ffi::PyCell_Get(c.p());
        if v.is_null() { return Err(unbound_local(name)); }
        ffi::Py_DECREF(v);
        ffi::PyCell_Set(c.p(), null_mut());
        Ok(())
    }

    pub unsafe fn free_cell(cx: &NFn, i: usize) -> O {
        O::borrow(ffi::PyTuple_GET_ITEM(cx.closure, i as isize))
    }

    pub unsafe fn ld_free(cx: &NFn, i: usize, name: P) -> R<O> {
        let c = ffi::PyTuple_GET_ITEM(cx.closure, i as isize);
        let v = ffi::PyCell_Get(c);
        if v.is_null() { return Err(unbound_free(name)); }
        Ok(O(NonNull::new_unchecked(v)))
    }

    /// LOAD_GLOBAL: the module's globals, then its builtins, at each use.
    pub unsafe fn ld_global(cx: &NFn, name: P) -> R<O> {
        let v = ffi::PyDict_GetItemWithError(cx.globals, name);
        if !v.is_null() { return Ok(O::borrow(v)); }
        if !ffi::PyErr_Occurred().is_null() { return Err(X); }
        let b = cx.builtins;
        if ffi::PyDict_CheckExact(b) != 0 {
            let v = ffi::PyDict_GetItemWithError(b, name);
            if !v.is_null() { return Ok(O::borrow(v)); }
            if !ffi::PyErr_Occurred().is_null() { return Err(X); }
        } else {
            let v = ffi::PyObject_GetItem(b, name);
            if !v.is_null() { return Ok(O(NonNull::new_unchecked(v))); }
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) == 0 { return Err(X); }
            ffi::PyErr_Clear();
        }
        Err(name_error(&format!("name '{}' is not defined", str_of(name)), name))
    }

    /// A LOAD_GLOBAL site's cache: the value found, valid while neither
    /// the globals nor the builtins dict has changed (PEP 509 version
    /// tags, read in place when the layout passed its self-test). A name
    /// found in the globals also keeps where its entry is (keys, ix):
    /// a write to any global (a counter `global N; N += 1`) changes the
    /// version but not the entry, which is then read again in place, as
    /// CPython's LOAD_GLOBAL_MODULE does by its keys' version.
    pub struct GC { g: P, gv: u64, b: P, bv: u64, v: P, keys: P, ix: usize }
    impl GC { pub const NEW: GC = GC { g: null_mut(), gv: 0, b: null_mut(), bv: 0, v: null_mut(), keys: null_mut(), ix: 0 }; }
    static mut DICT_VERSIONS: bool = false;
    /// Whether a str-keyed dict's entries are read in place (GC.keys):
    /// the layout of cpython/dictobject.h and dict-common.h (3.11, 3.12:
    /// ma_keys at 32; in the keys, dk_log2_index_bytes at 9, dk_kind at
    /// 10, dk_nentries at 24, the indices at 32, then the entries, a
    /// key and a value each) passed dict_entries_selftest.
    static mut DICT_ENTRIES: bool = false;
    const DICT_KEYS_UNICODE: u8 = 1;

    #[inline(always)]
    unsafe fn dict_keys(d: P) -> P { *((d as *const u8).add(32) as *const P) }

    /// The (key, value) of entry ix of a str-keyed dict's keys, or None
    /// (another kind of keys, or past the entries). A deleted entry has
    /// a null key and value; an entry is never reused for another key
    /// while the keys object lives.
    #[inline(always)]
    unsafe fn dict_entry(keys: P, ix: usize) -> Option<(P, P)> {
        let k = keys as *const u8;
        if *k.add(10) != DICT_KEYS_UNICODE || ix as isize >= *(k.add(24) as *const isize) { return None; }
        let e = k.add(32 + (1usize << *k.add(9))).add(16 * ix) as *const P;
        Some((*e, *e.add(1)))
    }

    /// Where name's entry is among a str-keyed dict's entries (the very
    /// object name: interned names, as the module's code uses them).
    unsafe fn dict_entry_of(d: P, name: P) -> Option<usize> {
        let keys = dict_keys(d);
        let n = *((keys as *const u8).add(24) as *const isize);
        if n > 4096 { return None; }
        (0..n as usize).find(|&ix| matches!(dict_entry(keys, ix), Some((k, v)) if k == name && !v.is_null()))
    }

    unsafe fn dict_entries_selftest() -> bool {
        if !DICT_VERSIONS { return false; }
        let d = ffi::PyDict_New();
        if d.is_null() { ffi::PyErr_Clear(); return false; }
        let a = ffi::PyUnicode_InternFromString(c"rustify_selftest_a".as_ptr());
        let b = ffi::PyUnicode_InternFromString(c"rustify_selftest_b".as_ptr());
        let ok = !a.is_null() && !b.is_null()
            && ffi::PyDict_SetItem(d, a, b) == 0 && ffi::PyDict_SetItem(d, b, a) == 0
            && ffi::PyDict_GetItem(d, a) == b && {
                let keys = dict_keys(d);
                let before = dict_entry(keys, 0) == Some((a, b)) && dict_entry(keys, 1) == Some((b, a))
                    && dict_entry(keys, 2).is_none();
                before && ffi::PyDict_SetItem(d, a, a) == 0 && dict_keys(d) == keys
                    && dict_entry(keys, 0) == Some((a, a))
                    && ffi::PyDict_DelItem(d, a) == 0 && dict_keys(d) == keys
                    && dict_entry(keys, 0) == Some((null_mut(), null_mut()))
                    && dict_entry(keys, 1) == Some((b, a))
                    && dict_entry_of(d, b) == Some(1) && dict_entry_of(d, a).is_none()
            };
        ffi::Py_XDECREF(a);
        ffi::Py_XDECREF(b);
        ffi::Py_DECREF(d);
        ffi::PyErr_Clear();
        ok
    }

    #[inline(always)]
    unsafe fn dict_version(d: P) -> u64 { *((d as *const u8).add(24) as *const u64) }

    unsafe fn dict_versions_selftest() -> bool {
        if !(11..=12).contains(&PY_MINOR) { return false; }
        let d = ffi::PyDict_New();
        if d.is_null() { ffi::PyErr_Clear(); return false; }
        let v0 = dict_version(d);
        let k = ffi::PyLong_FromLong(7);
        let ok = !k.is_null() && ffi::PyDict_SetItem(d, k, k) == 0 && {
            let v1 = dict_version(d);
            ffi::PyDict_DelItem(d, k) == 0 && {
                let v2 = dict_version(d);
                v1 > v0 && v2 > v1 && v0 != 0
            }
        };
        ffi::Py_XDECREF(k);
        ffi::Py_DECREF(d);
        ffi::PyErr_Clear();
        ok
    }

    #[inline]
    pub unsafe fn ld_global_c(cx: &NFn, name: P, c: *mut GC) -> R<O> {
        let c = &mut *c;
        let (g, b) = (cx.globals, cx.builtins);
        if DICT_VERSIONS && c.g == g && c.b == b && !c.v.is_null()
            && dict_version(g) == c.gv && dict_version(b) == c.bv {
            return Ok(O::borrow(c.v));
        }
        // the globals changed (or the builtins): a name of the globals
        // whose entry still holds it reads its value there
        if DICT_ENTRIES && c.g == g && !c.keys.is_null() && dict_keys(g) == c.keys {
            if let Some((k, v)) = dict_entry(c.keys, c.ix) {
                if k == name && !v.is_null() {
                    c.v = v;
                    c.gv = dict_version(g);
                    c.b = b;
                    c.bv = dict_version(b);
                    return Ok(O::borrow(v));
                }
            }
        }
        let v = ld_global(cx, name)?;
        if DICT_VERSIONS && ffi::PyDict_CheckExact(b) != 0 && ffi::PyDict_CheckExact(g) != 0 {
            c.g = g;
            c.b = b;
            c.gv = dict_version(g);
            c.bv = dict_version(b);
            c.v = v.p();
            c.keys = null_mut();
            if DICT_ENTRIES {
                if let Some(ix) = dict_entry_of(g, name) {
                    if dict_entry(dict_keys(g), ix).map(|e| e.1) == Some(v.p()) {
                        c.keys = dict_keys(g);
                        c.ix = ix;
                    }
                }
            }
        }
        Ok(v)
    }

    pub unsafe fn st_global(cx: &NFn, name: P, v: O) -> R<()> {
        if ffi::PyDict_SetItem(cx.globals, name, v.p()) < 0 { Err(X) } else { Ok(()) }
    }

    pub unsafe fn del_global(cx: &NFn, name: P) -> R<()> {
        if ffi::PyDict_DelItem(cx.globals, name) < 0 {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_KeyError) != 0 {
                ffi::PyErr_Clear();
                return Err(name_error(&format!("name '{}' is not defined", str_of(name)), name));
            }
            return Err(X);
        }
        Ok(())
    }

    // ---- values ----

    #[inline] pub unsafe fn none() -> O { O::borrow(ffi::Py_None()) }
    #[inline] pub unsafe fn boolean(b: bool) -> O { O::borrow(if b { ffi::Py_True() } else { ffi::Py_False() }) }

    #[inline]
    pub unsafe fn truth(v: O) -> R<bool> { truth_ref(&v) }

    #[inline]
    pub unsafe fn truth_ref(v: &O) -> R<bool> {
        let p = v.p();
        if p == ffi::Py_True() { return Ok(true); }
        if p == ffi::Py_False() || p == ffi::Py_None() { return Ok(false); }
        match ffi::PyObject_IsTrue(p) { 1 => Ok(true), 0 => Ok(false), _ => Err(X) }
    }

    macro_rules! binop {
        ($($name:ident => $f:ident),* $(,)?) => {
            $( #[inline] pub unsafe fn $name(a: O, b: O) -> R<O> { O::own(ffi::$f(a.p(), b.p())) } )*
        };
    }
    binop! {
        lshift => PyNumber_Lshift, rshift => PyNumber_Rshift,
        and_ => PyNumber_And, or_ => PyNumber_Or, xor => PyNumber_Xor,
        matmul => PyNumber_MatrixMultiply,
        ilshift => PyNumber_InPlaceLshift, irshift => PyNumber_InPlaceRshift,
        iand => PyNumber_InPlaceAnd, ior => PyNumber_InPlaceOr, ixor => PyNumber_InPlaceXor,
        imatmul => PyNumber_InPlaceMatrixMultiply,
    }

    // Fast paths for exact ints (read in place, as i64) and exact floats,
    // computing what int's and float's own slots compute; anything else,
    // or an int result that would not fit, goes through PyNumber_*.
    #[inline(always)]
    unsafe fn floats(a: P, b: P) -> Option<(f64, f64)> {
        let fa = ffi::PyFloat_CheckExact(a) != 0;
        let fb = ffi::PyFloat_CheckExact(b) != 0;
        if fa && fb { return Some((ffi::PyFloat_AS_DOUBLE(a), ffi::PyFloat_AS_DOUBLE(b))); }
        // float op int: the int converted as float_add converts it (exact
        // below 2**53; i64 rounds to nearest even like PyLong_AsDouble)
        if fa { if let Some(y) = crate::rt::small_int(b) { if y.unsigned_abs() < 1 << 53 { return Some((ffi::PyFloat_AS_DOUBLE(a), y as f64)); } } }
        if fb { if let Some(x) = crate::rt::small_int(a) { if x.unsigned_abs() < 1 << 53 { return Some((x as f64, ffi::PyFloat_AS_DOUBLE(b))); } } }
        None
    }
    #[inline(always)]
    unsafe fn ints(a: P, b: P) -> Option<(i64, i64)> {
        Some((crate::rt::small_int(a)?, crate::rt::small_int(b)?))
    }
    #[inline(always)]
    unsafe fn int_obj(v: i64) -> R<O> { O::own(ffi::PyLong_FromLongLong(v)) }
    #[inline(always)]
    unsafe fn float_obj(v: f64) -> R<O> { O::own(ffi::PyFloat_FromDouble(v)) }

    /// The result of a float operation: an operand this code holds the
    /// only reference to becomes the result (as CPython's specialized
    /// float ops reuse theirs), else a new float.
    #[inline(always)]
    unsafe fn float_into(a: O, b: O, v: f64) -> R<O> {
        for o in [a, b] {
            let p = o.p();
            if ffi::PyFloat_CheckExact(p) != 0 && ffi::Py_REFCNT(p) == 1 {
                (*(p as *mut ffi::PyFloatObject)).ob_fval = v;
                return Ok(o);
            }
        }
        float_obj(v)
    }

    // ---- operators of the module's classes ----
    // a + b where a and b are instances of one class whose __add__ is a
    // native function of ours (a vector class's dunders): CPython's
    // binary_op1 calls the type's one slot (b's type is a's, so there is
    // no reflected try), slot_nb_add looks __add__ up on the type and
    // calls it with (a, b). Here the look-up is cached by the type's
    // version tag (valid only while Py_TPFLAGS_VALID_VERSION_TAG holds;
    // rebinding a dunder on the class or a base changes it, as it
    // changes the slot) and the native function is entered directly. A
    // heap type's slot is the generic slot_nb_* exactly when the name
    // resolves to a descriptor that is not the slot's own wrapper, as
    // ours is. NotImplemented back raises binop_type_error's TypeError;
    // a class whose + or * could fall back on a sequence slot
    // (sq_concat, sq_repeat) or that defines the in-place dunder (for
    // += and the like) takes the ordinary path.
    pub const NB_ADD: usize = 0;
    pub const NB_SUB: usize = 1;
    pub const NB_MUL: usize = 2;
    pub const NB_TRUEDIV: usize = 3;
    const NB_N: usize = 4;
    const NB_NAMES: [&CStr; NB_N] = [c"__add__", c"__sub__", c"__mul__", c"__truediv__"];
    const NB_OPS: [&str; NB_N] = ["+", "-", "*", "/"];
    #[derive(Clone, Copy)]
    struct NBE { tp: *mut ffi::PyTypeObject, ver: u32, f: P }
    static mut NB_CACHE: [[NBE; 2]; NB_N] = [[NBE { tp: null_mut(), ver: 0, f: null_mut() }; 2]; NB_N];
    static mut NB_INTERNED: [P; NB_N] = [null_mut(); NB_N];

    /// a OP b (inplace: a OP= b) for NB_ADD..NB_TRUEDIV, slow: what
    /// PyNumber_* computes, the native dunder entered directly when the
    /// operands allow it (above). Out of line: the sites inline only
    /// their int and float paths.
    #[inline(never)]
    unsafe fn nb_binop(a: P, b: P, op: usize, inplace: bool, f: unsafe extern "C" fn(P, P) -> P) -> P {
        let tp = ffi::Py_TYPE(a);
        if ATTR_FAST && tp == ffi::Py_TYPE(b) && (*tp).tp_flags & ffi::Py_TPFLAGS_HEAPTYPE != 0 {
            let ix = inplace as usize;
            let e = NB_CACHE[op][ix];
            let m = if e.tp == tp && e.ver == (*tp).tp_version_tag { e.f } else { nb_fill(tp, op, inplace) };
            if !m.is_null() { return nb_native_call(a, b, m, op, inplace); }
        }
        f(a, b)
    }

    #[cold]
    #[inline(never)]
    unsafe fn nb_fill(tp: *mut ffi::PyTypeObject, op: usize, inplace: bool) -> P {
        let flags = (*tp).tp_flags;
        if flags & ffi::Py_TPFLAGS_VALID_VERSION_TAG == 0 || (*tp).tp_version_tag == 0 { return null_mut(); }
        let nb = (*tp).tp_as_number;
        if nb.is_null() { return null_mut(); }
        let (slot, islot) = match op {
            NB_ADD => ((*nb).nb_add.is_some(), (*nb).nb_inplace_add.is_some()),
            NB_SUB => ((*nb).nb_subtract.is_some(), (*nb).nb_inplace_subtract.is_some()),
            NB_MUL => ((*nb).nb_multiply.is_some(), (*nb).nb_inplace_multiply.is_some()),
            _ => ((*nb).nb_true_divide.is_some(), (*nb).nb_inplace_true_divide.is_some()),
        };
        if !slot || (inplace && islot) { return null_mut(); }
        let sq = (*tp).tp_as_sequence;
        if !sq.is_null() && (op == NB_ADD && ((*sq).sq_concat.is_some() || (*sq).sq_inplace_concat.is_some())
            || op == NB_MUL && ((*sq).sq_repeat.is_some() || (*sq).sq_inplace_repeat.is_some())) {
            return null_mut();
        }
        type_native(tp, &mut *std::ptr::addr_of_mut!(NB_INTERNED[op]), NB_NAMES[op],
                    &mut *std::ptr::addr_of_mut!(NB_CACHE[op][inplace as usize]))
    }

    /// The native function a class's name resolves to (the name interned
    /// once into *name), cached in *e with the class's version; null when
    /// it resolves to anything else. The caller checked the version tag
    /// is valid.
    unsafe fn type_native(tp: *mut ffi::PyTypeObject, name: &mut P, cname: &CStr, e: &mut NBE) -> P {
        if name.is_null() { *name = intern(cname); }
        let m = _PyType_Lookup(tp, *name);
        if m.is_null() || ffi::Py_TYPE(m) != NFN_TYPE { return null_mut(); }
        *e = NBE { tp, ver: (*tp).tp_version_tag, f: m };
        m
    }

    /// The native dunder m called as slot_nb_* calls it (the function
    /// held for the call: it may rebind the class's dunder).
    #[inline(never)]
    unsafe fn nb_native_call(a: P, b: P, m: P, op: usize, inplace: bool) -> P {
        ffi::Py_INCREF(m);
        let args = [a, b];
        let r = nfn_vectorcall(m, args.as_ptr(), 2, null_mut());
        ffi::Py_DECREF(m);
        if r == ffi::Py_NotImplemented() {
            ffi::Py_DECREF(r);
            let msg = format!("unsupported operand type(s) for {}{}: '{}' and '{}'",
                              NB_OPS[op], if inplace { "=" } else { "" }, type_name(a), type_name(b));
            raise_str(ffi::PyExc_TypeError, &msg);
            return null_mut();
        }
        r
    }

    // ---- iter(), len() and `in` of the module's classes ----
    // for x in obj, len(obj) and x in obj where obj's class has a native
    // __iter__, __len__ or __contains__: PyObject_GetIter, PyObject_Size
    // and PySequence_Contains call the type's slot (slot_tp_iter,
    // slot_sq_length, slot_sq_contains), which looks the dunder up and
    // calls it with obj; here the look-up is cached by the type's version
    // (as nb_binop's) and the native function entered directly, its
    // result checked and converted as those slots and their callers do.
    const DU_ITER: usize = 0;
    const DU_LEN: usize = 1;
    const DU_CONTAINS: usize = 2;
    const DU_N: usize = 3;
    const DU_NAMES: [&CStr; DU_N] = [c"__iter__", c"__len__", c"__contains__"];
    static mut DU_CACHE: [NBE; DU_N] = [NBE { tp: null_mut(), ver: 0, f: null_mut() }; DU_N];
    static mut DU_INTERNED: [P; DU_N] = [null_mut(); DU_N];

    /// The native dunder `which` of o's class, or null (borrowed: the
    /// class holds it while its version holds).
    #[inline(always)]
    unsafe fn dunder(o: P, which: usize) -> P {
        let tp = ffi::Py_TYPE(o);
        if !ATTR_FAST || (*tp).tp_flags & ffi::Py_TPFLAGS_HEAPTYPE == 0 { return null_mut(); }
        let e = DU_CACHE[which];
        if e.tp == tp && e.ver == (*tp).tp_version_tag { return e.f; }
        du_fill(tp, which)
    }

    #[cold]
    #[inline(never)]
    unsafe fn du_fill(tp: *mut ffi::PyTypeObject, which: usize) -> P {
        if (*tp).tp_flags & ffi::Py_TPFLAGS_VALID_VERSION_TAG == 0 || (*tp).tp_version_tag == 0 { return null_mut(); }
        let sq = (*tp).tp_as_sequence;
        let slot = match which {
            DU_ITER => (*tp).tp_iter.is_some(),
            DU_LEN => !sq.is_null() && (*sq).sq_length.is_some(),
            _ => !sq.is_null() && (*sq).sq_contains.is_some(),
        };
        if !slot { return null_mut(); }
        type_native(tp, &mut *std::ptr::addr_of_mut!(DU_INTERNED[which]), DU_NAMES[which],
                    &mut *std::ptr::addr_of_mut!(DU_CACHE[which]))
    }

    /// The native dunder m called with args (held for the call).
    #[inline(always)]
    unsafe fn du_call(m: P, args: &[P]) -> P {
        ffi::Py_INCREF(m);
        let r = nfn_vectorcall(m, args.as_ptr(), args.len(), null_mut());
        ffi::Py_DECREF(m);
        r
    }

    /// iter(o) by o's native __iter__ (PyObject_GetIter's check of what
    /// it returns).
    #[inline(never)]
    unsafe fn iter_native(o: P, m: P) -> R<O> {
        let r = O::own(du_call(m, &[o]))?;
        if ffi::PyIter_Check(r.p()) == 0 {
            let msg = format!("iter() returned non-iterator of type '{}'", type_name(r.p()));
            return Err(raise_str(ffi::PyExc_TypeError, &msg));
        }
        Ok(r)
    }

    /// len(o) by o's native __len__: slot_sq_length's conversion (an
    /// index, not negative, within Py_ssize_t), then builtin len's int.
    #[inline(never)]
    unsafe fn len_native(o: P, m: P) -> R<O> {
        let r = O::own(du_call(m, &[o]))?;
        let i = O::own(ffi::PyNumber_Index(r.p()))?;
        if ffi::Py_SIZE(i.p()) < 0 {
            return Err(raise_str(ffi::PyExc_ValueError, "__len__() should return >= 0"));
        }
        let n = ffi::PyNumber_AsSsize_t(i.p(), ffi::PyExc_OverflowError);
        if n == -1 && !ffi::PyErr_Occurred().is_null() { return Err(X); }
        O::own(ffi::PyLong_FromSsize_t(n))
    }

    /// x in o (PySequence_Contains(o, x)): 1, 0, or -1 with the exception
    /// set; o's native __contains__ entered directly (slot_sq_contains:
    /// the truth of its result).
    #[inline]
    unsafe fn contains(o: P, x: P) -> c_int {
        let m = dunder(o, DU_CONTAINS);
        if m.is_null() { return ffi::PySequence_Contains(o, x); }
        let r = du_call(m, &[o, x]);
        if r.is_null() { return -1; }
        let t = ffi::PyObject_IsTrue(r);
        ffi::Py_DECREF(r);
        t
    }

    macro_rules! arith {
        ($name:ident, $iname:ident, $f:ident, $fi:ident, $checked:ident, $op:tt, $nb:ident) => {
            #[inline]
            pub unsafe fn $name(a: O, b: O) -> R<O> {
                if let Some((x, y)) = ints(a.p(), b.p()) {
                    if let Some(v) = x.$checked(y) { return int_obj(v); }
                } else if let Some((x, y)) = floats(a.p(), b.p()) {
                    return float_into(a, b, x $op y);
                }
                O::own(nb_binop(a.p(), b.p(), $nb, false, ffi::$f))
            }
            #[inline]
            pub unsafe fn $iname(a: O, b: O) -> R<O> {
                if let Some((x, y)) = ints(a.p(), b.p()) {
                    if let Some(v) = x.$checked(y) { return int_obj(v); }
                } else if let Some((x, y)) = floats(a.p(), b.p()) {
                    return float_into(a, b, x $op y);
                }
                O::own(nb_binop(a.p(), b.p(), $nb, true, ffi::$fi))
            }
        };
    }
    arith!(add, iadd, PyNumber_Add, PyNumber_InPlaceAdd, checked_add, +, NB_ADD);
    arith!(sub, isub, PyNumber_Subtract, PyNumber_InPlaceSubtract, checked_sub, -, NB_SUB);
    arith!(mul, imul, PyNumber_Multiply, PyNumber_InPlaceMultiply, checked_mul, *, NB_MUL);

    // ---- unboxed temporaries ----
    // The intermediate results of an arithmetic expression (dx*dx + dy*dy)
    // are objects nobody else can see: CPython makes and frees one per
    // operation. oemit.c keeps them as V, a number that is boxed only when
    // it leaves the expression, with the same fast-path rules as arith!
    // (int and float computed as their slots compute them) and anything
    // else boxed and given to PyNumber_*, in the same order.
    pub enum V { O(O), F(f64), I(i64) }
    impl From<O> for V { #[inline(always)] fn from(o: O) -> V { V::O(o) } }
    #[inline(always)]
    unsafe fn v_int(v: &V) -> Option<i64> {
        match v { V::I(i) => Some(*i), V::O(o) => crate::rt::small_int(o.p()), V::F(_) => None }
    }
    #[inline(always)]
    unsafe fn v_float(v: &V) -> Option<f64> {
        match v {
            V::F(f) => Some(*f),
            V::O(o) if ffi::PyFloat_CheckExact(o.p()) != 0 => Some(ffi::PyFloat_AS_DOUBLE(o.p())),
            _ => None,
        }
    }
    /// Both as floats, when one is a float and the other a float or an
    /// int float_add converts exactly (as floats() above).
    #[inline(always)]
    unsafe fn v_floats(a: &V, b: &V) -> Option<(f64, f64)> {
        match (v_float(a), v_float(b)) {
            (Some(x), Some(y)) => Some((x, y)),
            (Some(x), None) => match v_int(b) { Some(y) if y.unsigned_abs() < 1 << 53 => Some((x, y as f64)), _ => None },
            (None, Some(y)) => match v_int(a) { Some(x) if x.unsigned_abs() < 1 << 53 => Some((x as f64, y)), _ => None },
            _ => None,
        }
    }
    // ---- unboxed locals ----
    // A local that arithmetic assigns (x = a - b, x += d) holds a V: a
    // float or int result stays unboxed while the local is read only by
    // + - * /. Any other read makes the object once and keeps it in the
    // local, so every such read sees the one object Python would have
    // made at the assignment.

    /// A read of an unboxed local as an operand of + - * /.
    #[inline(always)]
    pub unsafe fn ldvv(v: &Option<V>, name: P, outer: bool) -> R<V> {
        match v {
            Some(V::F(f)) => Ok(V::F(*f)),
            Some(V::I(i)) => Ok(V::I(*i)),
            Some(V::O(o)) => Ok(V::O(o.clone())),
            None => Err(if outer { unbound_free(name) } else { unbound_local(name) }),
        }
    }

    /// Any other read of an unboxed local: its object, made once.
    #[inline]
    pub unsafe fn ldv(v: &mut Option<V>, name: P, outer: bool) -> R<O> {
        let o = match v {
            Some(V::O(o)) => return Ok(o.clone()),
            Some(V::F(f)) => float_obj(*f)?,
            Some(V::I(i)) => int_obj(*i)?,
            None => return Err(if outer { unbound_free(name) } else { unbound_local(name) }),
        };
        *v = Some(V::O(o.clone()));
        Ok(o)
    }

    /// The object a V stands for (a new float or int when unboxed).
    #[inline(always)]
    pub unsafe fn vbox(v: V) -> R<O> {
        match v { V::O(o) => Ok(o), V::F(f) => float_obj(f), V::I(i) => int_obj(i) }
    }
    macro_rules! varith {
        ($name:ident, $iname:ident, $f:ident, $fi:ident, $checked:ident, $op:tt, $nb:ident) => {
            #[inline(always)]
            pub unsafe fn $name(a: V, b: V) -> R<V> {
                if let (Some(x), Some(y)) = (v_int(&a), v_int(&b)) {
                    if let Some(v) = x.$checked(y) { return Ok(V::I(v)); }
                } else if let Some((x, y)) = v_floats(&a, &b) {
                    return Ok(V::F(x $op y));
                }
                let (a, b) = (vbox(a)?, vbox(b)?);
                Ok(V::O(O::own(nb_binop(a.p(), b.p(), $nb, false, ffi::$f))?))
            }
            #[inline(always)]
            pub unsafe fn $iname(a: V, b: V) -> R<V> {
                if let (Some(x), Some(y)) = (v_int(&a), v_int(&b)) {
                    if let Some(v) = x.$checked(y) { return Ok(V::I(v)); }
                } else if let Some((x, y)) = v_floats(&a, &b) {
                    return Ok(V::F(x $op y));
                }
                let (a, b) = (vbox(a)?, vbox(b)?);
                Ok(V::O(O::own(nb_binop(a.p(), b.p(), $nb, true, ffi::$fi))?))
            }
        };
    }
    varith!(vadd, viadd, PyNumber_Add, PyNumber_InPlaceAdd, checked_add, +, NB_ADD);
    varith!(vsub, visub, PyNumber_Subtract, PyNumber_InPlaceSubtract, checked_sub, -, NB_SUB);
    varith!(vmul, vimul, PyNumber_Multiply, PyNumber_InPlaceMultiply, checked_mul, *, NB_MUL);
    #[inline(always)]
    unsafe fn v_truediv(a: &V, b: &V) -> Option<f64> {
        if let (Some(x), Some(y)) = (v_int(a), v_int(b)) {
            // long_true_divide: exact when both fit a double's mantissa
            if y != 0 && x.unsigned_abs() < 1 << 53 && y.unsigned_abs() < 1 << 53 { return Some(x as f64 / y as f64); }
            return None;
        }
        match v_floats(a, b) { Some((x, y)) if y != 0.0 => Some(x / y), _ => None }
    }
    #[inline(always)]
    pub unsafe fn vtruediv(a: V, b: V) -> R<V> {
        if let Some(v) = v_truediv(&a, &b) { return Ok(V::F(v)); }
        let (a, b) = (vbox(a)?, vbox(b)?);
        Ok(V::O(O::own(nb_binop(a.p(), b.p(), NB_TRUEDIV, false, ffi::PyNumber_TrueDivide))?))
    }
    #[inline(always)]
    pub unsafe fn vitruediv(a: V, b: V) -> R<V> {
        if let Some(v) = v_truediv(&a, &b) { return Ok(V::F(v)); }
        let (a, b) = (vbox(a)?, vbox(b)?);
        Ok(V::O(O::own(nb_binop(a.p(), b.p(), NB_TRUEDIV, true, ffi::PyNumber_InPlaceTrueDivide))?))
    }

    /// a % b as int_mod / float_rem answer, for two ints (floor
    /// modulo) or two floats (an int joining exactly); None where Python
    /// raises or an int would overflow.
    #[inline(always)]
    unsafe fn v_mod(a: &V, b: &V) -> Option<V> {
        if let (Some(x), Some(y)) = (v_int(a), v_int(b)) {
            let r = x.checked_rem(y)?;
            return Some(V::I(if r != 0 && (r ^ y) < 0 { r + y } else { r }));
        }
        let (x, y) = v_floats(a, b)?;
        if y == 0.0 { return None; }
        let mut m = x % y; // fmod
        if m != 0.0 {
            if (y < 0.0) != (m < 0.0) { m += y; }
        } else {
            m = 0.0f64.copysign(y);
        }
        Some(V::F(m))
    }
    /// a // b as long_div / float_floor_div (_float_div_mod) answer.
    #[inline(always)]
    unsafe fn v_floordiv(a: &V, b: &V) -> Option<V> {
        if let (Some(x), Some(y)) = (v_int(a), v_int(b)) {
            let q = x.checked_div(y)?;
            return Some(V::I(if x % y != 0 && (x ^ y) < 0 { q - 1 } else { q }));
        }
        let (vx, wx) = v_floats(a, b)?;
        if wx == 0.0 { return None; }
        let m = vx % wx;
        let mut div = (vx - m) / wx;
        if m != 0.0 && (wx < 0.0) != (m < 0.0) { div -= 1.0; }
        let fl = if div != 0.0 {
            let mut f = div.floor();
            if div - f > 0.5 { f += 1.0; }
            f
        } else {
            0.0f64.copysign(vx / wx)
        };
        Some(V::F(fl))
    }
    macro_rules! vdivmod {
        ($name:ident, $iname:ident, $fast:ident, $f:ident, $fi:ident) => {
            #[inline(always)]
            pub unsafe fn $name(a: V, b: V) -> R<V> {
                if let Some(v) = $fast(&a, &b) { return Ok(v); }
                let (a, b) = (vbox(a)?, vbox(b)?);
                Ok(V::O(O::own(ffi::$f(a.p(), b.p()))?))
            }
            #[inline(always)]
            pub unsafe fn $iname(a: V, b: V) -> R<V> {
                if let Some(v) = $fast(&a, &b) { return Ok(v); }
                let (a, b) = (vbox(a)?, vbox(b)?);
                Ok(V::O(O::own(ffi::$fi(a.p(), b.p()))?))
            }
        };
    }
    vdivmod!(vmod, vimod, v_mod, PyNumber_Remainder, PyNumber_InPlaceRemainder);
    vdivmod!(vfloordiv, vifloordiv, v_floordiv, PyNumber_FloorDivide, PyNumber_InPlaceFloorDivide);

    #[inline]
    unsafe fn truediv_fast(a: P, b: P) -> Option<f64> {
        if let Some((x, y)) = ints(a, b) {
            // long_true_divide: exact when both fit a double's mantissa
            if y != 0 && x.unsigned_abs() < 1 << 53 && y.unsigned_abs() < 1 << 53 { return Some(x as f64 / y as f64); }
            return None;
        }
        match floats(a, b) { Some((x, y)) if y != 0.0 => Some(x / y), _ => None }
    }
    #[inline]
    pub unsafe fn truediv(a: O, b: O) -> R<O> {
        if let Some(v) = truediv_fast(a.p(), b.p()) { return float_into(a, b, v); }
        O::own(nb_binop(a.p(), b.p(), NB_TRUEDIV, false, ffi::PyNumber_TrueDivide))
    }
    #[inline]
    pub unsafe fn itruediv(a: O, b: O) -> R<O> {
        if let Some(v) = truediv_fast(a.p(), b.p()) { return float_into(a, b, v); }
        O::own(nb_binop(a.p(), b.p(), NB_TRUEDIV, true, ffi::PyNumber_InPlaceTrueDivide))
    }
    #[inline]
    unsafe fn floordiv_fast(a: P, b: P) -> Option<i64> {
        let (x, y) = ints(a, b)?;
        crate::rt::floordiv_i(x, y).ok()
    }
    #[inline]
    unsafe fn mod_fast(a: P, b: P) -> Option<i64> {
        let (x, y) = ints(a, b)?;
        crate::rt::mod_i(x, y).ok()
    }
    #[inline]
    pub unsafe fn floordiv(a: O, b: O) -> R<O> {
        if let Some(v) = floordiv_fast(a.p(), b.p()) { return int_obj(v); }
        O::own(ffi::PyNumber_FloorDivide(a.p(), b.p()))
    }
    #[inline]
    pub unsafe fn ifloordiv(a: O, b: O) -> R<O> {
        if let Some(v) = floordiv_fast(a.p(), b.p()) { return int_obj(v); }
        O::own(ffi::PyNumber_InPlaceFloorDivide(a.p(), b.p()))
    }
    #[inline]
    pub unsafe fn modulo(a: O, b: O) -> R<O> {
        if let Some(v) = mod_fast(a.p(), b.p()) { return int_obj(v); }
        O::own(ffi::PyNumber_Remainder(a.p(), b.p()))
    }
    #[inline]
    pub unsafe fn imodulo(a: O, b: O) -> R<O> {
        if let Some(v) = mod_fast(a.p(), b.p()) { return int_obj(v); }
        O::own(ffi::PyNumber_InPlaceRemainder(a.p(), b.p()))
    }
    #[inline] pub unsafe fn pow(a: O, b: O) -> R<O> { O::own(ffi::PyNumber_Power(a.p(), b.p(), ffi::Py_None())) }
    #[inline] pub unsafe fn ipow(a: O, b: O) -> R<O> { O::own(ffi::PyNumber_InPlacePower(a.p(), b.p(), ffi::Py_None())) }
    #[inline] pub unsafe fn neg(a: O) -> R<O> { O::own(ffi::PyNumber_Negative(a.p())) }
    #[inline] pub unsafe fn pos(a: O) -> R<O> { O::own(ffi::PyNumber_Positive(a.p())) }
    #[inline] pub unsafe fn inv(a: O) -> R<O> { O::own(ffi::PyNumber_Invert(a.p())) }

    /// Comparison operators as the compiler numbers them: < <= > >= == !=
    /// in not-in is is-not (1..=10).
    #[inline]
    pub unsafe fn cmp(a: O, b: O, op: u32) -> R<O> {
        if let Some(r) = cmp_fast(a.p(), b.p(), op) { return Ok(boolean(r)); }
        match op {
            1 => O::own(ffi::PyObject_RichCompare(a.p(), b.p(), ffi::Py_LT)),
            2 => O::own(ffi::PyObject_RichCompare(a.p(), b.p(), ffi::Py_LE)),
            3 => O::own(ffi::PyObject_RichCompare(a.p(), b.p(), ffi::Py_GT)),
            4 => O::own(ffi::PyObject_RichCompare(a.p(), b.p(), ffi::Py_GE)),
            5 => O::own(ffi::PyObject_RichCompare(a.p(), b.p(), ffi::Py_EQ)),
            6 => O::own(ffi::PyObject_RichCompare(a.p(), b.p(), ffi::Py_NE)),
            7 | 8 => {
                let r = contains(b.p(), a.p());
                if r < 0 { return Err(X); }
                Ok(boolean((r == 1) == (op == 7)))
            }
            9 => Ok(boolean(a.p() == b.p())),
            _ => Ok(boolean(a.p() != b.p())),
        }
    }

    /// Code point j of a ready str (PEP 393: 1, 2 or 4 bytes each).
    #[inline(always)]
    unsafe fn ustr_char(p: P, j: usize) -> u32 {
        let d = ffi::PyUnicode_DATA(p);
        match ffi::PyUnicode_KIND(p) {
            1 => *(d as *const u8).add(j) as u32,
            2 => *(d as *const u16).add(j) as u32,
            _ => *(d as *const u32).add(j),
        }
    }

    /// Two ready strs equal, as unicode_eq finds it (one kind, one
    /// length, the same bytes); None when either is not ready.
    #[inline(always)]
    unsafe fn ustr_eq(a: P, b: P) -> Option<bool> {
        if ffi::PyUnicode_IS_READY(a) == 0 || ffi::PyUnicode_IS_READY(b) == 0 { return None; }
        let n = ffi::PyUnicode_GET_LENGTH(a);
        if n != ffi::PyUnicode_GET_LENGTH(b) { return Some(false); }
        let k = ffi::PyUnicode_KIND(a);
        if k != ffi::PyUnicode_KIND(b) { return Some(false); }
        let (x, y) = (ffi::PyUnicode_DATA(a) as *const u8, ffi::PyUnicode_DATA(b) as *const u8);
        let len = n as usize * k as usize;
        if len == 1 { return Some(*x == *y); }
        Some(std::slice::from_raw_parts(x, len) == std::slice::from_raw_parts(y, len))
    }

    /// int/int, float/float and str/str comparisons, as their own slots
    /// answer.
    #[inline(always)]
    unsafe fn cmp_fast(a: P, b: P, op: u32) -> Option<bool> {
        if op > 6 { return None; }
        if let Some((x, y)) = ints(a, b) {
            return Some(match op { 1 => x < y, 2 => x <= y, 3 => x > y, 4 => x >= y, 5 => x == y, _ => x != y });
        }
        if ffi::PyFloat_CheckExact(a) != 0 && ffi::PyFloat_CheckExact(b) != 0 {
            let (x, y) = (ffi::PyFloat_AS_DOUBLE(a), ffi::PyFloat_AS_DOUBLE(b));
            return Some(match op { 1 => x < y, 2 => x <= y, 3 => x > y, 4 => x >= y, 5 => x == y, _ => x != y });
        }
        if ffi::PyUnicode_CheckExact(a) != 0 && ffi::PyUnicode_CheckExact(b) != 0 {
            // unicode_richcompare: the same object is equal; else code
            // point order (PyUnicode_Compare is that unicode_compare)
            if op == 5 || op == 6 {
                if a == b { return Some(op == 5); }
                if let Some(e) = ustr_eq(a, b) { return Some(e == (op == 5)); }
            }
            let c = if a == b { 0 } else { ffi::PyUnicode_Compare(a, b) };
            if c == -1 && !ffi::PyErr_Occurred().is_null() { ffi::PyErr_Clear(); return None; }
            return Some(match op { 1 => c < 0, 2 => c <= 0, 3 => c > 0, 4 => c >= 0, 5 => c == 0, _ => c != 0 });
        }
        None
    }

    /// (a0, a1, ...) op (b0, b1, ...) for two displays of one length, as
    /// tuplerichcompare answers, without the tuples.
    pub unsafe fn cmp_tuples<const N: usize>(a: [O; N], b: [O; N], op: u32) -> R<O> {
        match tuples_first_diff(&a, &b)? {
            None => Ok(boolean(matches!(op, 2 | 4 | 5))),
            Some(_) if op == 5 || op == 6 => Ok(boolean(op == 6)),
            Some(i) => cmp(a[i].clone(), b[i].clone(), op),
        }
    }

    pub unsafe fn cmp_tuples_bool<const N: usize>(a: [O; N], b: [O; N], op: u32) -> R<bool> {
        match tuples_first_diff(&a, &b)? {
            None => Ok(matches!(op, 2 | 4 | 5)),
            Some(_) if op == 5 || op == 6 => Ok(op == 6),
            Some(i) => cmp_bool(a[i].clone(), b[i].clone(), op),
        }
    }

    /// The first index whose items are neither the same object nor
    /// equal (PyObject_RichCompareBool's Py_EQ), or None.
    #[inline]
    unsafe fn tuples_first_diff<const N: usize>(a: &[O; N], b: &[O; N]) -> R<Option<usize>> {
        for i in 0..N {
            let (x, y) = (a[i].p(), b[i].p());
            if x == y { continue; }
            let eq = match cmp_fast(x, y, 5) {
                Some(r) => r,
                None => {
                    let r = ffi::PyObject_RichCompareBool(x, y, ffi::Py_EQ);
                    if r < 0 { return Err(X); }
                    r == 1
                }
            };
            if !eq { return Ok(Some(i)); }
        }
        Ok(None)
    }

    /// A comparison whose result is only tested (if, while, and/or).
    #[inline]
    pub unsafe fn cmp_bool(a: O, b: O, op: u32) -> R<bool> {
        if let Some(r) = cmp_fast(a.p(), b.p(), op) { return Ok(r); }
        match op {
            9 => Ok(a.p() == b.p()),
            10 => Ok(a.p() != b.p()),
            7 | 8 => {
                let r = contains(b.p(), a.p());
                if r < 0 { return Err(X); }
                Ok((r == 1) == (op == 7))
            }
            _ => truth(cmp(a, b, op)?),
        }
    }

    // ---- attributes, items ----

    /// An attribute site's cache (CPython 3.11's LOAD_ATTR_INSTANCE_VALUE
    /// and STORE_ATTR_INSTANCE_VALUE): for instances of one type, at one
    /// type version (no class attribute of that name, generic attribute
    /// access), the attribute's index in the instance's inline values.
    /// The layout of those (values before the object, the type's shared
    /// keys) is CPython 3.11's and passes a self-test at import, else
    /// every access goes through PyObject_GetAttr.
    /// ix: the name's index in the inline values (-1: look in the
    /// instance's dict); off: the byte offset of a __slots__ member
    /// holding it (-1: not a slot).
    /// One type's entry of an attribute site's cache.
    #[derive(Clone, Copy)]
    /// cv: a class attribute that is no descriptor (a constant, a table
    /// on the class: self.OPS), the answer for an instance that does not
    /// hold the name itself; kix, keys, nent: the name's index in the
    /// class's shared keys (-1: none) while those keys hold nent names.
    pub struct ACE { tp: *mut ffi::PyTypeObject, ver: u32, ix: isize, off: isize,
                     cv: P, kix: isize, keys: *mut c_void, nent: isize }
    const ACE0: ACE = ACE { tp: null_mut(), ver: 0, ix: -1, off: -1,
                            cv: null_mut(), kix: -1, keys: null_mut(), nent: -1 };
    /// Up to ACN types per site, the latest filled first: a method of a
    /// base class reads self.x of each subclass's instances (CPython
    /// 3.11's sites hold one type; ours went to the generic look-up and
    /// a refill on every change of type).
    pub struct AC { e: [ACE; ACN], md: MD }
    const ACN: usize = 4;
    impl AC {
        pub const NEW: AC = AC { e: [ACE0; ACN], md: MD::NEW };
        #[inline(always)]
        unsafe fn find(&self, tp: *mut ffi::PyTypeObject) -> Option<ACE> {
            let ver = (*tp).tp_version_tag;
            for e in self.e.iter() {
                if e.tp == tp && e.ver == ver { return Some(*e); }
            }
            None
        }
        fn put(&mut self, e: ACE) { put_first(&mut self.e, e, |x| x.tp == e.tp); }
    }

    /// A site cache's new entry first, the others after it; the entry
    /// of the same type (a stale version) or the oldest makes room.
    fn put_first<T: Copy>(v: &mut [T; ACN], e: T, same: impl Fn(&T) -> bool) {
        let k = v.iter().position(same).unwrap_or(ACN - 1);
        for i in (1..=k).rev() { v[i] = v[i - 1]; }
        v[0] = e;
    }
    static mut ATTR_FAST: bool = false;
    const MANAGED_DICT: std::os::raw::c_ulong = 1 << 4;

    #[inline(always)]
    unsafe fn inline_values(o: P) -> *mut P { *((o as *mut *mut P).sub(4)) }

    /// The index of name in a type's shared keys, or -1.
    unsafe fn shared_key_index(keys: *mut c_void, name: P) -> isize {
        if keys.is_null() { return -1; }
        let k = keys as *const u8;
        if *k.add(10) != 2 { return -1; } // DICT_KEYS_SPLIT
        let log2_index_bytes = *k.add(9) as usize;
        let nentries = *(k.add(24) as *const isize);
        let entries = k.add(32 + (1usize << log2_index_bytes)) as *const [P; 2];
        for i in 0..nentries {
            if (*entries.offset(i))[0] == name { return i; }
        }
        -1
    }

    #[cold]
    unsafe fn attr_fill(o: P, name: P, value: P, c: &mut AC, store: bool) {
        let tp = ffi::Py_TYPE(o);
        let flags = (*tp).tp_flags;
        if flags & ffi::Py_TPFLAGS_VALID_VERSION_TAG == 0 || (*tp).tp_version_tag == 0 { return; }
        // (the C functions of libpython: one address each)
        if store {
            if (*tp).tp_setattro.map(|f| f as usize) != Some(ffi::PyObject_GenericSetAttr as ffi::setattrofunc as usize) { return; }
        } else if (*tp).tp_getattro.map(|f| f as usize) != Some(ffi::PyObject_GenericGetAttr as ffi::getattrofunc as usize) {
            return;
        }
        let d = _PyType_Lookup(tp, name);
        if !d.is_null() {
            // a __slots__ member: read and written at its offset
            // (CPython's LOAD_ATTR_SLOT / STORE_ATTR_SLOT)
            if ffi::Py_TYPE(d) == std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type) {
                let m = (*(d as *mut ffi::PyMemberDescrObject)).d_member;
                if (*m).type_code == ffi::Py_T_OBJECT_EX && (*m).flags & ffi::Py_READONLY == 0
                    && (*m).offset > 0 && *((o as *mut u8).offset((*m).offset) as *mut P) == value {
                    c.put(ACE { off: (*m).offset, tp, ver: (*tp).tp_version_tag, ..ACE0 });
                }
            } else if !store && (*ffi::Py_TYPE(d)).tp_descr_get.is_none() && d == value {
                // a plain class attribute, the instance not holding the
                // name: PyObject_GenericGetAttr's answer while the class
                // is unchanged and the instance still lacks it
                let keys = if flags & MANAGED_DICT != 0 { (*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys } else { null_mut() };
                let e = ACE { cv: d, kix: shared_key_index(keys, name), keys, nent: key_count(keys),
                              tp, ver: (*tp).tp_version_tag, ..ACE0 };
                if lacks(o, name, tp, &e) { c.put(e); }
            }
            return;
        }
        ffi::PyErr_Clear();
        if flags & MANAGED_DICT == 0 { return; }
        let ix = shared_key_index((*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys, name);
        let vals = inline_values(o);
        if vals.is_null() {
            // the instance's dict exists (pickled, copied, or asked for):
            // the name is looked up there (ix -1 when it has no slot in
            // the inline values either)
            let d = managed_dict(o);
            if d.is_null() || ffi::PyDict_GetItemWithError(d, name) != value { ffi::PyErr_Clear(); return; }
        } else if ix < 0 || *vals.offset(ix) != value {
            return;
        }
        c.put(ACE { ix, tp, ver: (*tp).tp_version_tag, ..ACE0 });
    }

    /// Whether an instance holds no attribute name of its own, for a
    /// cache entry of its type (e.cv): no instance dict at all, or its
    /// inline values without it (its index in the shared keys, known
    /// while they hold as many names), or its dict without it.
    #[inline(always)]
    unsafe fn lacks(o: P, name: P, tp: *mut ffi::PyTypeObject, e: &ACE) -> bool {
        if (*tp).tp_flags & MANAGED_DICT == 0 { return (*tp).tp_dictoffset == 0; }
        let vals = inline_values(o);
        if vals.is_null() {
            let d = managed_dict(o);
            return d.is_null() || dict_lacks(d, name);
        }
        let keys = (*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys;
        let kix = if keys == e.keys && key_count(keys) == e.nent { e.kix } else { shared_key_index(keys, name) };
        kix < 0 || (*vals.offset(kix)).is_null()
    }

    /// The dict of an instance of a class with a managed dict, once it
    /// exists (3.11: the word before the inline values pointer).
    #[inline(always)]
    unsafe fn managed_dict(o: P) -> P { *((o as *mut P).sub(3)) }

    #[inline]
    pub unsafe fn getattr_c(o: O, name: P, c: *mut AC) -> R<O> { getattr_cb(o.p(), name, c) }

    /// getattr_c of a borrowed object (a local variable's, ldp). The
    /// site's latest type with the value in the instance's inline values
    /// or in a __slots__ member (the common case: one class per site, no
    /// instance dict) is read here, inlined at the site; every other case
    /// in getattr_cb_rest.
    #[inline(always)]
    pub unsafe fn getattr_cb(o: P, name: P, c: *mut AC) -> R<O> {
        let e = &(*c).e[0];
        let tp = ffi::Py_TYPE(o);
        if ATTR_FAST && e.tp == tp && e.ver == (*tp).tp_version_tag {
            if e.ix >= 0 {
                let vals = inline_values(o);
                if !vals.is_null() {
                    let v = *vals.offset(e.ix);
                    if !v.is_null() { return Ok(O::borrow(v)); }
                }
            } else if e.off > 0 {
                // a __slots__ member (LOAD_ATTR_SLOT)
                let v = *((o as *mut u8).offset(e.off) as *mut P);
                if !v.is_null() { return Ok(O::borrow(v)); }
            }
        }
        getattr_cb_rest(o, name, c)
    }

    #[inline(never)]
    unsafe fn getattr_cb_rest(o: P, name: P, c: *mut AC) -> R<O> {
        let cache = &mut *c;
        let tp = ffi::Py_TYPE(o);
        if let (true, Some(c)) = (ATTR_FAST, cache.find(tp)) {
            // the type (same version: no attribute of that name on it or
            // its bases) leaves the name to the instance: its inline
            // values, or its dict (CPython's LOAD_ATTR_INSTANCE_VALUE and
            // LOAD_ATTR_WITH_HINT), or a slot
            if c.off > 0 {
                let v = *((o as *mut u8).offset(c.off) as *mut P);
                if !v.is_null() { return Ok(O::borrow(v)); }
                return O::own(ffi::PyObject_GetAttr(o, name));
            }
            if !c.cv.is_null() {
                if lacks(o, name, tp, &c) { return Ok(O::borrow(c.cv)); }
                return getattr_fill(o, name, cache);
            }
            let vals = inline_values(o);
            if !vals.is_null() {
                if c.ix >= 0 {
                    let v = *vals.offset(c.ix);
                    if !v.is_null() { return Ok(O::borrow(v)); }
                }
            } else {
                let d = managed_dict(o);
                if !d.is_null() {
                    let v = ffi::PyDict_GetItemWithError(d, name);
                    if !v.is_null() { return Ok(O::borrow(v)); }
                    ffi::PyErr_Clear();
                }
            }
        }
        getattr_fill(o, name, cache)
    }

    #[inline(never)]
    unsafe fn getattr_fill(o: P, name: P, c: &mut AC) -> R<O> {
        if ffi::PyModule_CheckExact(o) != 0 {
            let v = module_hit(o, &c.md);
            if !v.is_null() { return Ok(O::borrow(v)); }
            let r = O::own(ffi::PyObject_GetAttr(o, name))?;
            module_fill(o, name, r.p(), &mut c.md);
            return Ok(r);
        }
        let r = O::own(ffi::PyObject_GetAttr(o, name))?;
        if ATTR_FAST { attr_fill(o, name, r.p(), c, false); }
        Ok(r)
    }

    #[inline]
    pub unsafe fn setattr_c<A: Opnd>(o: A, name: P, v: O, c: *mut AC) -> R<()> {
        let o = o.ptr();
        let cache = &mut *c;
        let tp = ffi::Py_TYPE(o);
        if let (true, Some(c)) = (ATTR_FAST, cache.find(tp)) {
            if c.off > 0 {
                let slot = (o as *mut u8).offset(c.off) as *mut P;
                let old = *slot;
                *slot = v.into_raw();
                ffi::Py_XDECREF(old);
                return Ok(());
            }
            let vals = inline_values(o);
            if vals.is_null() {
                // a dict that already holds the name: its value replaced
                // (the keys do not change)
                let d = managed_dict(o);
                if !d.is_null() && !ffi::PyDict_GetItemWithError(d, name).is_null() {
                    if ffi::PyDict_SetItem(d, name, v.p()) < 0 { return Err(X); }
                    return Ok(());
                }
                ffi::PyErr_Clear();
            } else if c.ix >= 0 {
                let slot = vals.offset(c.ix);
                let old = *slot;
                if !old.is_null() {
                    *slot = v.into_raw();
                    ffi::Py_DECREF(old);
                    return Ok(());
                }
                // a new attribute: its index joins the insertion order
                // kept in the bytes before the values (3.11's
                // _PyDictValues_AddToInsertionOrder)
                let b = vals as *mut u8;
                let size = *b.sub(2) as usize;
                if c.ix < 30 && size + 2 < *b.sub(1) as usize {
                    *b.sub(2 + size + 1) = c.ix as u8;
                    *b.sub(2) = (size + 1) as u8;
                    *slot = v.into_raw();
                    return Ok(());
                }
            }
        }
        let vp = v.p();
        if ffi::PyObject_SetAttr(o, name, vp) < 0 { return Err(X); }
        if ATTR_FAST { attr_fill(o, name, vp, cache, true); }
        Ok(())
    }

    /// o.name = v for an arithmetic result v (self.x = self.x + dx,
    /// a.vx -= dx * bm). An unboxed float stored over a float the
    /// instance holds the only reference to overwrites that float's
    /// value: the old object could only be told from a new one by a
    /// reference to it, and there is none (as float_into reuses an
    /// operand). Anything else is boxed and stored by setattr_c.
    #[inline]
    pub unsafe fn setattr_v<A: Opnd>(o: A, name: P, v: V, c: *mut AC) -> R<()> {
        let o = o.ptr();
        if let (V::F(f), true) = (&v, ATTR_FAST) {
            if let Some(e) = (*c).find(ffi::Py_TYPE(o)) {
                let slot = if e.off > 0 {
                    (o as *mut u8).offset(e.off) as *mut P
                } else {
                    let vals = inline_values(o);
                    if vals.is_null() || e.ix < 0 { null_mut() } else { vals.offset(e.ix) }
                };
                if !slot.is_null() {
                    let old = *slot;
                    if !old.is_null() && ffi::PyFloat_CheckExact(old) != 0 && ffi::Py_REFCNT(old) == 1 {
                        (*(old as *mut ffi::PyFloatObject)).ob_fval = *f;
                        return Ok(());
                    }
                }
            }
        }
        setattr_c(o, name, vbox(v)?, c)
    }

    /// The inline-values layout as this interpreter has it: a class with
    /// two attributes read and written through the caches.
    unsafe fn attr_selftest() -> bool {
        if PY_MINOR != 11 { return false; }
        let src = c"class T:\n    def __init__(s):\n        s.a = 10**20\n        s.b = 10**21\nt = T()\n";
        let g = ffi::PyDict_New();
        if g.is_null() { ffi::PyErr_Clear(); return false; }
        let b = ffi::PyEval_GetBuiltins();
        ffi::PyDict_SetItemString(g, c"__builtins__".as_ptr(), b);
        ffi::PyDict_SetItemString(g, c"__name__".as_ptr(), EMPTY_STR);
        let r = ffi::PyRun_String(src.as_ptr(), ffi::Py_file_input, g, g);
        let t = if r.is_null() { null_mut() } else { ffi::PyDict_GetItemString(g, c"t".as_ptr()) };
        let ok = !t.is_null() && (|| {
            ATTR_FAST = true;
            let nb = intern(c"b");
            let na = intern(c"a");
            let mut c = AC::NEW;
            let want = ffi::PyObject_GetAttr(t, nb);
            if want.is_null() { return false; }
            ffi::Py_DECREF(want);
            let r1 = getattr_c(O::borrow(t), nb, &mut c);
            if c.e[0].ix != 1 { return false; }
            let r2 = getattr_c(O::borrow(t), nb, &mut c);
            let same = matches!((&r1, &r2), (Ok(x), Ok(y)) if x.p() == want && y.p() == want);
            let mut sc = AC::NEW;
            let v1 = O::own(ffi::PyLong_FromLong(7)).ok();
            let v2 = O::own(ffi::PyLong_FromLong(8)).ok();
            if v1.is_none() || v2.is_none() { return false; }
            let v2p = v2.as_ref().unwrap().p();
            let s1 = setattr_c(O::borrow(t), na, v1.unwrap(), &mut sc).is_ok();
            let s2 = setattr_c(O::borrow(t), na, v2.unwrap(), &mut sc).is_ok();
            let now = ffi::PyObject_GetAttr(t, na);
            let stored = now == v2p && sc.e[0].ix == 0;
            ffi::Py_XDECREF(now);
            // new attributes through the cache keep Python's order
            let u = ffi::PyObject_CallNoArgs(ffi::PyObject_GetAttrString(t, c"__class__".as_ptr()));
            if u.is_null() { return false; }
            let u = O(NonNull::new_unchecked(u));
            let nc = intern(c"c");
            let nd = intern(c"d");
            let mut c1 = AC::NEW;
            let mut c2 = AC::NEW;
            let x1 = O::own(ffi::PyLong_FromLong(1)).ok();
            let x2 = O::own(ffi::PyLong_FromLong(2)).ok();
            if x1.is_none() || x2.is_none() { return false; }
            // the first instance (t) taught the keys "c", "d"
            if setattr_c(O::borrow(t), nc, x1.clone().unwrap(), &mut c1).is_err()
                || setattr_c(O::borrow(t), nd, x2.clone().unwrap(), &mut c2).is_err() { return false; }
            // u: a fresh instance, both new attributes in reverse order
            for nm in [na, nb] {
                let zero = O::own(ffi::PyLong_FromLong(0)).ok().unwrap();
                if ffi::PyObject_SetAttr(u.p(), nm, zero.p()) < 0 { return false; }
            }
            if setattr_c(O::borrow(u.p()), nd, x2.unwrap(), &mut c2).is_err()
                || setattr_c(O::borrow(u.p()), nc, x1.unwrap(), &mut c1).is_err() { return false; }
            let keys = ffi::PyObject_CallMethod(ffi::PyObject_GetAttrString(u.p(), c"__dict__".as_ptr()), c"keys".as_ptr(), null_mut());
            let lst = if keys.is_null() { null_mut() } else { ffi::PySequence_List(keys) };
            let order_ok = !lst.is_null() && ffi::PyList_GET_SIZE(lst) == 4
                && ffi::PyList_GET_ITEM(lst, 2) == nd && ffi::PyList_GET_ITEM(lst, 3) == nc;
            ffi::Py_XDECREF(lst);
            ffi::Py_XDECREF(keys);
            // u's dict now exists: read and written through it
            let dict = ffi::PyObject_GetAttrString(u.p(), c"__dict__".as_ptr());
            let dict_ok = !dict.is_null() && inline_values(u.p()).is_null() && managed_dict(u.p()) == dict;
            ffi::Py_XDECREF(dict);
            if !dict_ok { return false; }
            let mut c3 = AC::NEW;
            let mut c4 = AC::NEW;
            let d1 = getattr_c(O::borrow(u.p()), nc, &mut c3);
            let d2 = getattr_c(O::borrow(u.p()), nc, &mut c3);
            let read_ok = c3.e[0].tp == ffi::Py_TYPE(u.p()) && matches!((&d1, &d2), (Ok(x), Ok(y)) if ffi::PyLong_AsLong(x.p()) == 1 && x.p() == y.p());
            let x9 = O::own(ffi::PyLong_FromLong(9)).ok().unwrap();
            let x9p = x9.p();
            let w1 = setattr_c(O::borrow(u.p()), nc, x9.clone(), &mut c4).is_ok();
            let w2 = setattr_c(O::borrow(u.p()), nc, x9, &mut c4).is_ok();
            let now = ffi::PyObject_GetAttr(u.p(), nc);
            let write_ok = w1 && w2 && now == x9p && c4.e[0].tp == ffi::Py_TYPE(u.p());
            ffi::Py_XDECREF(now);
            // a class with __slots__: read and written at the slot
            let src2 = c"class S:\n    __slots__ = ('p', 'q')\n    def __init__(s):\n        s.p = 1\n        s.q = 2\ns = S()\n";
            let r2 = ffi::PyRun_String(src2.as_ptr(), ffi::Py_file_input, g, g);
            if r2.is_null() { return false; }
            ffi::Py_DECREF(r2);
            let so = ffi::PyDict_GetItemString(g, c"s".as_ptr());
            if so.is_null() { return false; }
            let nq = intern(c"q");
            let mut c5 = AC::NEW;
            let mut c6 = AC::NEW;
            let q1 = getattr_c(O::borrow(so), nq, &mut c5);
            let q2 = getattr_c(O::borrow(so), nq, &mut c5);
            let slot_read = c5.e[0].off > 0 && matches!((&q1, &q2), (Ok(x), Ok(y)) if ffi::PyLong_AsLong(x.p()) == 2 && x.p() == y.p());
            let x7 = O::own(ffi::PyLong_FromLong(77)).ok().unwrap();
            let x7p = x7.p();
            let sw1 = setattr_c(O::borrow(so), nq, x7.clone(), &mut c6).is_ok();
            let sw2 = setattr_c(O::borrow(so), nq, x7, &mut c6).is_ok();
            let now = ffi::PyObject_GetAttr(so, nq);
            let slot_write = sw1 && sw2 && c6.e[0].off > 0 && now == x7p;
            ffi::Py_XDECREF(now);
            same && s1 && s2 && stored && order_ok && read_ok && write_ok && slot_read && slot_write
        })();
        ffi::Py_XDECREF(r);
        ffi::Py_DECREF(g);
        ffi::PyErr_Clear();
        ok
    }

    #[inline] pub unsafe fn getattr(o: O, name: P) -> R<O> { O::own(ffi::PyObject_GetAttr(o.p(), name)) }
    #[inline]
    pub unsafe fn setattr(o: O, name: P, v: O) -> R<()> {
        if ffi::PyObject_SetAttr(o.p(), name, v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    #[inline]
    pub unsafe fn delattr(o: O, name: P) -> R<()> {
        if ffi::PyObject_SetAttr(o.p(), name, null_mut()) < 0 { Err(X) } else { Ok(()) }
    }
    /// o[k] with an unboxed index (k an arithmetic result or an unboxed
    /// local): no int object for an index the sequence reads in place.
    #[inline]
    pub unsafe fn getitem_v(o: O, k: V) -> R<O> {
        if let V::I(i) = k {
            if let Some(v) = getitem_int(o.p(), i) { return Ok(v); }
        }
        getitem(o, vbox(k)?)
    }

    /// a op b with an unboxed operand (an arithmetic result, an unboxed
    /// local): two ints or two floats compare natively, anything else
    /// as cmp_bool does.
    #[inline]
    pub unsafe fn vcmp_bool(a: V, b: V, op: u32) -> R<bool> {
        if let (Some(x), Some(y)) = (v_int(&a), v_int(&b)) {
            return Ok(match op { 1 => x < y, 2 => x <= y, 3 => x > y, 4 => x >= y, 5 => x == y, _ => x != y });
        }
        if let (Some(x), Some(y)) = (v_float(&a), v_float(&b)) {
            return Ok(match op { 1 => x < y, 2 => x <= y, 3 => x > y, 4 => x >= y, 5 => x == y, _ => x != y });
        }
        cmp_bool(vbox(a)?, vbox(b)?, op)
    }

    /// list[i], tuple[i], str[i] (a Latin-1 character) for an index in
    /// range, as the sequence's own subscript gives it; None otherwise.
    #[inline(always)]
    unsafe fn getitem_int(p: P, i: i64) -> Option<O> {
        if ffi::PyList_CheckExact(p) != 0 {
            let n = ffi::PyList_GET_SIZE(p) as i64;
            let j = if i < 0 { i + n } else { i };
            if j >= 0 && j < n { return Some(O::borrow(ffi::PyList_GET_ITEM(p, j as isize))); }
        } else if ffi::PyTuple_CheckExact(p) != 0 {
            let n = ffi::PyTuple_GET_SIZE(p) as i64;
            let j = if i < 0 { i + n } else { i };
            if j >= 0 && j < n { return Some(O::borrow(ffi::PyTuple_GET_ITEM(p, j as isize))); }
        } else if ffi::PyUnicode_CheckExact(p) != 0 && ffi::PyUnicode_IS_READY(p) != 0 {
            // the interpreter's one-character str (unicode_getitem gives
            // the same object), read in the str's own storage
            let n = ffi::PyUnicode_GET_LENGTH(p) as i64;
            let j = if i < 0 { i + n } else { i };
            if j >= 0 && j < n {
                let ch = ustr_char(p, j as usize);
                if ch < 256 && !LATIN1[ch as usize].is_null() { return Some(O::borrow(LATIN1[ch as usize])); }
            }
        }
        None
    }

    /// An operand taken as it is (an O, consumed) or borrowed (a P: a
    /// plain local's object or a constant, no reference taken; emitted
    /// only where nothing can rebind the local before the operation
    /// returns, oemit.c: borrowable).
    pub trait Opnd { fn ptr(&self) -> P; }
    impl Opnd for O { #[inline(always)] fn ptr(&self) -> P { self.p() } }
    impl Opnd for P { #[inline(always)] fn ptr(&self) -> P { *self } }

    /// getitem with borrowed operands (Opnd).
    #[inline]
    pub unsafe fn getitem_x<A: Opnd, B: Opnd>(o: A, k: B) -> R<O> {
        if let Some(i) = crate::rt::small_int(k.ptr()) {
            if let Some(v) = getitem_int(o.ptr(), i) { return Ok(v); }
        }
        O::own(ffi::PyObject_GetItem(o.ptr(), k.ptr()))
    }
    /// getitem_v with a borrowed container.
    #[inline]
    pub unsafe fn getitem_vx<A: Opnd>(o: A, k: V) -> R<O> {
        if let V::I(i) = k {
            if let Some(v) = getitem_int(o.ptr(), i) { return Ok(v); }
        }
        let kb = vbox(k)?;
        O::own(ffi::PyObject_GetItem(o.ptr(), kb.p()))
    }
    /// cmp_bool with borrowed operands (Opnd).
    #[inline]
    pub unsafe fn cmp_bool_x<A: Opnd, B: Opnd>(a: A, b: B, op: u32) -> R<bool> {
        if let Some(r) = cmp_fast(a.ptr(), b.ptr(), op) { return Ok(r); }
        cmp_bool(O::borrow(a.ptr()), O::borrow(b.ptr()), op)
    }

    #[inline]
    pub unsafe fn getitem(o: O, k: O) -> R<O> {
        // list[i] and tuple[i] with an int index in range: the item, as
        // the sequence's own subscript gives it
        if let Some(i) = crate::rt::small_int(k.p()) {
            if let Some(v) = getitem_int(o.p(), i) { return Ok(v); }
        }
        O::own(ffi::PyObject_GetItem(o.p(), k.p()))
    }
    #[inline]
    pub unsafe fn setitem(o: O, k: O, v: O) -> R<()> {
        // list[i] = v with an int index in range: the item replaced, the
        // old one released after (list_ass_item; CPython 3.11's
        // STORE_SUBSCR_LIST_INT)
        let p = o.p();
        if ffi::PyList_CheckExact(p) != 0 {
            if let Some(i) = crate::rt::small_int(k.p()) {
                let n = ffi::PyList_GET_SIZE(p) as i64;
                let j = if i < 0 { i + n } else { i };
                if j >= 0 && j < n {
                    let slot = (*(p as *mut ffi::PyListObject)).ob_item.offset(j as isize);
                    let old = *slot;
                    *slot = v.into_raw();
                    ffi::Py_DECREF(old);
                    return Ok(());
                }
            }
        }
        if ffi::PyObject_SetItem(p, k.p(), v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    #[inline]
    pub unsafe fn delitem(o: O, k: O) -> R<()> {
        if ffi::PyObject_DelItem(o.p(), k.p()) < 0 { Err(X) } else { Ok(()) }
    }
    /// len() of an exact list, tuple, str (ready), dict, set or
    /// frozenset, read from the object; -1 for anything else.
    #[inline(always)]
    unsafe fn size_of_exact(p: P) -> isize {
        if ffi::PyList_CheckExact(p) != 0 || ffi::PyTuple_CheckExact(p) != 0 {
            ffi::Py_SIZE(p)
        } else if ffi::PyUnicode_CheckExact(p) != 0 && ffi::PyUnicode_IS_READY(p) != 0 {
            ffi::PyUnicode_GET_LENGTH(p)
        } else if ffi::PyDict_CheckExact(p) != 0 {
            ffi::PyDict_Size(p)
        } else if ffi::PySet_CheckExact(p) != 0 || ffi::PyFrozenSet_CheckExact(p) != 0 {
            ffi::PySet_Size(p)
        } else {
            -1
        }
    }

    /// o[lo:hi]: an exact str, list or tuple with int (or None, or
    /// absent) bounds is cut directly, with the bounds adjusted as
    /// PySlice_AdjustIndices does for a step of 1 (the same objects as
    /// the types' own subscripts: the str or tuple itself when whole,
    /// the empty and one-character singletons); anything else gets a
    /// slice object and PyObject_GetItem.
    pub unsafe fn getslice(o: O, lo: Option<O>, hi: Option<O>) -> R<O> {
        let bound = |x: &Option<O>| -> Option<Option<i64>> {
            match x {
                None => Some(None),
                Some(v) if v.p() == ffi::Py_None() => Some(None),
                Some(v) => crate::rt::small_int(v.p()).map(Some),
            }
        };
        let p = o.p();
        if let (Some(l), Some(h)) = (bound(&lo), bound(&hi)) {
            let kind = if ffi::PyUnicode_CheckExact(p) != 0 && ffi::PyUnicode_IS_READY(p) != 0 { 1 }
                else if ffi::PyList_CheckExact(p) != 0 { 2 }
                else if ffi::PyTuple_CheckExact(p) != 0 { 3 }
                else { 0 };
            if kind != 0 {
                let n = if kind == 1 { ffi::PyUnicode_GET_LENGTH(p) as i64 } else { ffi::Py_SIZE(p) as i64 };
                let adj = |v: Option<i64>, dflt: i64| match v {
                    None => dflt,
                    Some(x) if x < 0 => (x + n).max(0),
                    Some(x) => x.min(n),
                };
                let s = adj(l, 0);
                let e = adj(h, n).max(s);
                let (s, e) = (s as isize, e as isize);
                return O::own(match kind {
                    1 => ffi::PyUnicode_Substring(p, s, e),
                    2 => ffi::PyList_GetSlice(p, s, e),
                    _ => ffi::PyTuple_GetSlice(p, s, e),
                });
            }
        }
        let sl = slice(lo, hi, None)?;
        getitem(o, sl)
    }

    pub unsafe fn slice(lo: Option<O>, hi: Option<O>, step: Option<O>) -> R<O> {
        let p = |x: &Option<O>| x.as_ref().map_or(null_mut(), |o| o.p());
        O::own(ffi::PySlice_New(p(&lo), p(&hi), p(&step)))
    }

    // ---- calls ----

    /// f(args...): vectorcall; args[0] is a free slot the callee may use
    /// (PY_VECTORCALL_ARGUMENTS_OFFSET), the arguments follow.
    #[inline]
    pub unsafe fn call<const N: usize>(f: O, args: [Option<O>; N]) -> R<O> {
        call_x(f, args, [null_mut(); N], null_mut())
    }

    /// A vectorcall; one of our native functions is entered directly
    /// (its result needs no _Py_CheckFunctionResult: nfn_vectorcall
    /// returns null exactly when an exception is set).
    #[inline(always)]
    unsafe fn vcall(f: P, args: *const P, nargsf: usize, kwnames: P) -> P {
        if ffi::Py_TYPE(f) == NFN_TYPE { return nfn_vectorcall(f, args, nargsf, kwnames); }
        ffi::PyObject_Vectorcall(f, args, nargsf, kwnames)
    }

    /// C(args...) for a class whose metaclass is type, whose __new__ is
    /// object's and whose __init__ is a native function of ours: what
    /// type_call does (tp_new, then __init__ through slot_tp_init, its
    /// result None or TypeError), without the argument tuple, the call of
    /// the type, the look-up and the bound call slot_tp_init makes.
    /// object_new ignores the arguments when __init__ is overridden, so
    /// it gets the empty tuple. a[0] is a free slot (for self), the
    /// arguments follow; anything else takes the ordinary call.
    unsafe fn construct(t: P, a: *mut P, nargs: usize, kwnames: P) -> P {
        let tp = t as *mut ffi::PyTypeObject;
        let new = (*tp).tp_new;
        let init = if new.map(|f| f as usize) == (*std::ptr::addr_of!(ffi::PyBaseObject_Type)).tp_new.map(|f| f as usize) {
            _PyType_Lookup(tp, S_INIT)
        } else { null_mut() };
        if init.is_null() || ffi::Py_TYPE(init) != NFN_TYPE {
            return ffi::PyObject_Vectorcall(t, a.add(1), nargs | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
        }
        ffi::Py_INCREF(init); // the call may rebind C.__init__
        let obj = new.unwrap()(tp, EMPTY_TUPLE, null_mut());
        if obj.is_null() { ffi::Py_DECREF(init); return null_mut(); }
        *a = obj;
        let r = nfn_vectorcall(init, a, nargs + 1, kwnames);
        ffi::Py_DECREF(init);
        if r.is_null() { ffi::Py_DECREF(obj); return null_mut(); }
        if r != ffi::Py_None() {
            let msg = format!("__init__() should return None, not '{}'", type_name(r));
            ffi::Py_DECREF(r);
            ffi::Py_DECREF(obj);
            raise_str(ffi::PyExc_TypeError, &msg);
            return null_mut();
        }
        ffi::Py_DECREF(r);
        obj
    }

    /// f(args..., k=v...): the last entries of args are the keyword values
    /// named by the kwnames tuple.
    #[inline]
    pub unsafe fn callk<const N: usize>(f: O, args: [Option<O>; N], kwnames: P) -> R<O> {
        call_x(f, args, [null_mut(); N], kwnames)
    }

    /// obj.name(args...) where evaluating the arguments cannot change
    /// what obj.name is: args[0] is a free slot, args[1] is obj.
    #[inline]
    pub unsafe fn callm<const N: usize>(name: P, args: [Option<O>; N]) -> R<O> {
        let mut a: [P; N] = [null_mut(); N];
        for i in 1..N { a[i] = args[i].as_ref().map_or(null_mut(), |o| o.p()); }
        let r = ffi::PyObject_VectorcallMethod(name, a.as_ptr().add(1), (N - 1) | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET, null_mut());
        drop(args);
        O::own(r)
    }

    /// LOAD_METHOD: obj.name as a function and its self when it binds
    /// like a method (no bound method made), else the attribute.
    pub unsafe fn method(obj: O, name: P) -> R<(O, Option<O>)> {
        let mut m: P = null_mut();
        let unbound = _PyObject_GetMethod(obj.p(), name, &mut m);
        if m.is_null() { return Err(X); }
        let m = O(NonNull::new_unchecked(m));
        Ok(if unbound != 0 { (m, Some(obj)) } else { (m, None) })
    }

    /// A LOAD_METHOD site's cache (LOAD_METHOD_NO_DICT and _WITH_VALUES):
    /// the method found on one type at one version, used while the
    /// instance cannot shadow it (no instance dict, or inline values whose
    /// shared keys lack the name).
    /// One type's entry: its method, and the type's shared keys with
    /// their number of entries when the name was not among them (keys
    /// are only added to in 3.11: the same count, still not there).
    #[derive(Clone, Copy)]
    pub struct MCE { tp: *mut ffi::PyTypeObject, ver: u32, m: P, keys: *mut c_void, nent: isize }
    const MCE0: MCE = MCE { tp: null_mut(), ver: 0, m: null_mut(), keys: null_mut(), nent: -1 };
    /// Up to ACN types per site (a base class's method calling
    /// self.allows() of each subclass), the latest filled first.
    pub struct MC { e: [MCE; ACN], md: MD }
    impl MC { pub const NEW: MC = MC { e: [MCE0; ACN], md: MD::NEW }; }

    #[inline(always)]
    unsafe fn key_count(keys: *mut c_void) -> isize {
        if keys.is_null() { -1 } else { *((keys as *const u8).add(24) as *const isize) }
    }

    /// A module attribute site's cache (LOAD_ATTR_MODULE): the value found
    /// in one module's dict at one version (3.11 versions are global and
    /// change on every write, so an unchanged version is an unchanged
    /// dict, and the value is still the dict's).
    pub struct MD { m: P, ver: u64, v: P }
    impl MD { pub const NEW: MD = MD { m: null_mut(), ver: 0, v: null_mut() }; }

    #[inline(always)]
    unsafe fn module_hit(o: P, c: &MD) -> P {
        if c.m == o && DICT_VERSIONS && dict_version(ffi::PyModule_GetDict(o)) == c.ver { c.v } else { null_mut() }
    }

    /// After a look-up of module.name gave v: cached when v is the
    /// module dict's entry, and the module type has nothing of that name
    /// (no descriptor of ModuleType can take precedence).
    unsafe fn module_fill(o: P, name: P, v: P, c: &mut MD) {
        if !DICT_VERSIONS || ffi::PyModule_CheckExact(o) == 0 { return; }
        let d = ffi::PyModule_GetDict(o);
        let t = std::ptr::addr_of_mut!(ffi::PyModule_Type);
        if d.is_null() || ffi::PyDict_CheckExact(d) == 0 || !_PyType_Lookup(t, name).is_null()
            || ffi::PyDict_GetItemWithError(d, name) != v {
            ffi::PyErr_Clear();
            return;
        }
        c.m = o;
        c.ver = dict_version(d);
        c.v = v;
    }

    #[inline(always)]
    unsafe fn shadow_free(o: P, tp: *mut ffi::PyTypeObject, name: P) -> bool {
        let flags = (*tp).tp_flags;
        if flags & MANAGED_DICT != 0 {
            // inline values, no dict made, the name not among the keys;
            // or a dict made (a pickled or copied instance) without it
            let d = managed_dict(o);
            if !d.is_null() { return dict_lacks(d, name); }
            if inline_values(o).is_null() { return false; }
            return shared_key_index((*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys, name) < 0;
        }
        (*tp).tp_dictoffset == 0
    }

    /// An exact dict without the str key name (a look-up runs no code).
    #[inline(always)]
    unsafe fn dict_lacks(d: P, name: P) -> bool {
        if ffi::PyDict_CheckExact(d) == 0 { return false; }
        let v = ffi::PyDict_GetItemWithError(d, name);
        if v.is_null() && !ffi::PyErr_Occurred().is_null() { ffi::PyErr_Clear(); return false; }
        v.is_null()
    }

    /// method_c of a borrowed object (a plain local's, oemit.c
    /// borrowable): self, when the method binds, is that pointer.
    #[inline]
    pub unsafe fn method_cx(obj: P, name: P, c: *mut MC) -> R<(O, P)> {
        let (m, bound) = method_p(obj, name, &mut *c)?;
        Ok((m, if bound { obj } else { null_mut() }))
    }

    #[inline]
    pub unsafe fn method_c(obj: O, name: P, c: *mut MC) -> R<(O, Option<O>)> {
        let (m, bound) = method_p(obj.p(), name, &mut *c)?;
        Ok((m, if bound { Some(obj) } else { None }))
    }

    /// The look-up of method_c: the function, and whether obj binds to it
    /// as self.
    #[inline(always)]
    unsafe fn method_p(obj: P, name: P, c: &mut MC) -> R<(O, bool)> {
        let tp = ffi::Py_TYPE(obj);
        if tp == std::ptr::addr_of_mut!(ffi::PyModule_Type) {
            // math.sqrt(x): the module's function, no self
            let v = module_hit(obj, &c.md);
            if !v.is_null() { return Ok((O::borrow(v), false)); }
            let r = method(O::borrow(obj), name)?;
            if r.1.is_none() { module_fill(obj, name, r.0.p(), &mut c.md); }
            return Ok((r.0, r.1.is_some()));
        }
        if ATTR_FAST {
            let ver = (*tp).tp_version_tag;
            for e in c.e.iter_mut() {
                if e.tp != tp || e.ver != ver { continue; }
                let o = obj;
                let d = if (*tp).tp_flags & MANAGED_DICT != 0 { managed_dict(o) } else { null_mut() };
                let free = if !d.is_null() {
                    // a dict made (pickled, copied, asked for): the name
                    // not in it (CPython's LOAD_METHOD_WITH_DICT)
                    dict_lacks(d, name)
                } else if (*tp).tp_flags & MANAGED_DICT != 0 {
                    // inline values, the name not among the keys (known
                    // while their count holds)
                    let keys = (*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys;
                    !inline_values(o).is_null()
                        && ((keys == e.keys && key_count(keys) == e.nent)
                            || (shared_key_index(keys, name) < 0 && {
                                e.keys = keys;
                                e.nent = key_count(keys);
                                true
                            }))
                } else {
                    (*tp).tp_dictoffset == 0
                };
                if free { return Ok((O::borrow(e.m), true)); }
                break;
            }
        }
        let r = method(O::borrow(obj), name)?;
        if ATTR_FAST && r.1.is_some() {
            let o = r.1.as_ref().unwrap().p();
            let flags = (*tp).tp_flags;
            if flags & ffi::Py_TPFLAGS_VALID_VERSION_TAG != 0 && (*tp).tp_version_tag != 0
                && (*tp).tp_getattro.map(|f| f as usize) == Some(ffi::PyObject_GenericGetAttr as ffi::getattrofunc as usize)
                && _PyType_Lookup(tp, name) == r.0.p() && shadow_free(o, tp, name) {
                let keys = if flags & MANAGED_DICT != 0 { (*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys } else { null_mut() };
                let e = MCE { tp, ver: (*tp).tp_version_tag, m: r.0.p(), keys, nent: key_count(keys) };
                put_first(&mut c.e, e, |x| x.tp == tp);
            }
            ffi::PyErr_Clear();
        }
        Ok((r.0, r.1.is_some()))
    }

    /// The vectorcall array of a call whose arguments are owned (args) or
    /// borrowed (b: non-null where borrowed, oemit.c borrowable), from
    /// index `from` on.
    #[inline(always)]
    unsafe fn fill_args<const N: usize>(args: &[Option<O>; N], b: &[P; N], from: usize) -> [P; N] {
        let mut a: [P; N] = [null_mut(); N];
        for i in from..N {
            a[i] = if !b[i].is_null() { b[i] } else { args[i].as_ref().map_or(null_mut(), |o| o.p()) };
        }
        a
    }

    /// The null pointer of an owned argument's place in a call's borrowed
    /// arguments (call_x).
    pub const NP: P = null_mut();
    /// The self of a method call: owned (method_c) or borrowed (method_cx).
    pub trait Slf { fn sp(&self) -> P; }
    impl Slf for Option<O> { #[inline(always)] fn sp(&self) -> P { self.as_ref().map_or(null_mut(), |o| o.p()) } }
    impl Slf for P { #[inline(always)] fn sp(&self) -> P { *self } }

    /// call_method with borrowed arguments (b) and self (method_cx).
    #[inline]
    pub unsafe fn call_method_x<const N: usize, S: Slf>(m: (O, S), args: [Option<O>; N], b: [P; N], kwnames: P) -> R<O> {
        let (f, keep) = m;
        let slf = keep.sp();
        let mut a = fill_args(&args, &b, 2);
        // list.append(x) on a list: what PRECALL_NO_KW_LIST_APPEND does
        if N == 3 && kwnames.is_null() && f.p() == LIST_APPEND && !slf.is_null()
            && ffi::PyList_CheckExact(slf) != 0 {
            if ffi::PyList_Append(slf, a[2]) < 0 { return Err(X); }
            return Ok(none());
        }
        // d.get(k[, default]) of dict's own get: dict_get's look-up (the
        // key hashed, errors raised) without the descriptor's call
        if (N == 3 || N == 4) && kwnames.is_null() && f.p() == DICT_GET && !slf.is_null()
            && ffi::PyDict_Check(slf) != 0 {
            let v = ffi::PyDict_GetItemWithError(slf, a[2]);
            if !v.is_null() { return Ok(O::borrow(v)); }
            if !ffi::PyErr_Occurred().is_null() { return Err(X); }
            return Ok(if N == 4 { O::borrow(a[3]) } else { none() });
        }
        let nkw = if kwnames.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(kwnames) as usize };
        a[1] = slf;
        let r = if !slf.is_null() {
            vcall(f.p(), a.as_ptr().add(1), (N - 1 - nkw) | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames)
        } else {
            vcall(f.p(), a.as_ptr().add(2), (N - 2 - nkw) | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames)
        };
        drop(args);
        drop(keep);
        O::own(r)
    }

    /// call (and callk, kwnames non-null) with borrowed arguments (b).
    #[inline]
    pub unsafe fn call_x<const N: usize>(f: O, args: [Option<O>; N], b: [P; N], kwnames: P) -> R<O> {
        let mut a = fill_args(&args, &b, 1);
        let nkw = if kwnames.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(kwnames) as usize };
        if nkw == 0 {
            if N == 2 && f.p() == BUILTIN_LEN {
                let n = size_of_exact(a[1]);
                if n >= 0 { return int_obj(n as i64); }
                let m = dunder(a[1], DU_LEN);
                if !m.is_null() { return len_native(a[1], m); }
            } else if N == 2 && f.p() == BUILTIN_HASH {
                // (counted as the interpreter counts a call of a C
                // function: RecursionError where it would come)
                let Ok(rem) = rec_enter_w(c" while calling a Python object") else { return Err(X) };
                let h = ffi::PyObject_Hash(a[1]);
                rec_leave(rem);
                if h == -1 { return Err(X); }
                return O::own(ffi::PyLong_FromSsize_t(h));
            } else if N == 3 && f.p() == BUILTIN_ISINSTANCE
                && ffi::Py_TYPE(a[1]) as P == a[2] {
                return Ok(boolean(true));
            }
        }
        let r = if ffi::Py_TYPE(f.p()) == std::ptr::addr_of_mut!(ffi::PyType_Type) {
            construct(f.p(), a.as_mut_ptr(), N - 1 - nkw, kwnames)
        } else if nkw == 0 {
            vcall(f.p(), a.as_ptr().add(1), (N - 1) | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET, null_mut())
        } else {
            ffi::PyObject_Vectorcall(f.p(), a.as_ptr().add(1), (N - 1 - nkw) | ffi::PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames)
        };
        drop(args);
        O::own(r)
    }

    /// CALL after LOAD_METHOD: args[0] and args[1] are free slots (self
    /// goes in args[1]); the last nkw entries are keyword values named by
    /// kwnames (or null).
    #[inline]
    pub unsafe fn call_method<const N: usize>(m: (O, Option<O>), args: [Option<O>; N], kwnames: P) -> R<O> {
        call_method_x(m, args, [null_mut(); N], kwnames)
    }

    /// _PyObject_FunctionStr: "mod.f()" for messages about a callable.
    unsafe fn function_str(f: P) -> String {
        let q = ffi::PyObject_GetAttr(f, S_QUALNAME);
        if q.is_null() {
            ffi::PyErr_Clear();
            return match O::own(ffi::PyObject_Str(f)) { Ok(s) => str_of(s.p()), Err(_) => { ffi::PyErr_Clear(); "?".into() } };
        }
        let q = O(NonNull::new_unchecked(q));
        let m = ffi::PyObject_GetAttr(f, S_MODULE);
        if m.is_null() { ffi::PyErr_Clear(); return format!("{}()", str_of(q.p())); }
        let m = O(NonNull::new_unchecked(m));
        if m.p() != ffi::Py_None() && ffi::PyUnicode_Check(m.p()) != 0 && str_of(m.p()) != "builtins" {
            format!("{}.{}()", str_of(m.p()), str_of(q.p()))
        } else {
            format!("{}()", str_of(q.p()))
        }
    }

    /// Starts the positional arguments of a call with * in it.
    pub unsafe fn args_new() -> R<O> { O::own(ffi::PyList_New(0)) }
    pub unsafe fn args_push(l: &O, v: O) -> R<()> {
        if ffi::PyList_Append(l.p(), v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    /// f(*it): as CPython, a TypeError names the function when it is not
    /// iterable and the only positional argument (CALL_FUNCTION_EX gets
    /// it as is); among others it went through LIST_EXTEND.
    pub unsafe fn args_star(f: &O, l: &O, it: O, only: bool) -> R<()> {
        if !only {
            return list_extend(l, it);
        }
        if (*ffi::Py_TYPE(it.p())).tp_iter.is_none() && ffi::PySequence_Check(it.p()) == 0 {
            let m = format!("{} argument after * must be an iterable, not {}", function_str(f.p()), type_name(it.p()));
            return Err(raise_str(ffi::PyExc_TypeError, &m));
        }
        extend_list(l, &it)
    }
    unsafe fn extend_list(l: &O, it: &O) -> R<()> {
        let i = O::own(ffi::PyObject_GetIter(it.p()))?;
        while let Some(v) = next(&i)? {
            if ffi::PyList_Append(l.p(), v.p()) < 0 { return Err(X); }
        }
        Ok(())
    }
    pub unsafe fn kwargs_new() -> R<O> { O::own(ffi::PyDict_New()) }
    /// k=v in a call with **: a repeated name is the call's TypeError.
    pub unsafe fn kwargs_set(f: &O, d: &O, k: P, v: O) -> R<()> {
        let have = ffi::PyDict_Contains(d.p(), k);
        if have < 0 { return Err(X); }
        if have == 1 {
            let m = format!("{} got multiple values for keyword argument '{}'", function_str(f.p()), str_of(k));
            return Err(raise_str(ffi::PyExc_TypeError, &m));
        }
        if ffi::PyDict_SetItem(d.p(), k, v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    /// **m in a call (DICT_MERGE).
    pub unsafe fn kwargs_merge(f: &O, d: &O, m: O) -> R<()> {
        let keys = if ffi::PyDict_Check(m.p()) != 0 {
            O::own(ffi::PyDict_Keys(m.p()))?
        } else {
            let k = ffi::PyMapping_Keys(m.p());
            if k.is_null() {
                if ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 {
                    ffi::PyErr_Clear();
                    let msg = format!("{} argument after ** must be a mapping, not {}", function_str(f.p()), type_name(m.p()));
                    return Err(raise_str(ffi::PyExc_TypeError, &msg));
                }
                return Err(X);
            }
            O(NonNull::new_unchecked(k))
        };
        let it = O::own(ffi::PyObject_GetIter(keys.p()))?;
        while let Some(k) = next(&it)? {
            let have = ffi::PyDict_Contains(d.p(), k.p());
            if have < 0 { return Err(X); }
            if have == 1 {
                let msg = if ffi::PyUnicode_Check(k.p()) != 0 {
                    format!("{} got multiple values for keyword argument '{}'", function_str(f.p()), str_of(k.p()))
                } else {
                    format!("{} keywords must be strings", function_str(f.p()))
                };
                return Err(raise_str(ffi::PyExc_TypeError, &msg));
            }
            let v = O::own(ffi::PyObject_GetItem(m.p(), k.p()))?;
            if ffi::PyDict_SetItem(d.p(), k.p(), v.p()) < 0 { return Err(X); }
        }
        Ok(())
    }
    pub unsafe fn call_ex(f: O, args: O, kwargs: Option<O>) -> R<O> {
        let t = O::own(ffi::PyList_AsTuple(args.p()))?;
        let k = kwargs.as_ref().map_or(null_mut(), |d| if ffi::PyDict_Size(d.p()) > 0 { d.p() } else { null_mut() });
        O::own(ffi::PyObject_Call(f.p(), t.p(), k))
    }

    /// super() with no arguments in a method: super(__class__, first
    /// argument), as the interpreter reads them from the frame.
    pub unsafe fn super0(cx: &NFn, f: O, first: Option<O>, class_ix: Option<usize>) -> R<O> {
        if f.p() != BUILTIN_SUPER {
            return call(f, [None]);
        }
        let cls = match class_ix {
            Some(i) => ffi::PyCell_Get(ffi::PyTuple_GET_ITEM(cx.closure, i as isize)),
            None => return Err(raise_str(ffi::PyExc_RuntimeError, "super(): __class__ cell not found")),
        };
        if cls.is_null() {
            return Err(raise_str(ffi::PyExc_RuntimeError, "super(): empty __class__ cell"));
        }
        let cls = O(NonNull::new_unchecked(cls));
        if ffi::PyType_Check(cls.p()) == 0 {
            return Err(raise_str(ffi::PyExc_RuntimeError, "super(): __class__ is not a type"));
        }
        let first = match first {
            Some(o) => o,
            None => return Err(raise_str(ffi::PyExc_RuntimeError, "super(): no arguments")),
        };
        call(f, [None, Some(cls), Some(first)])
    }

    // ---- iteration, unpacking ----

    #[inline]
    pub unsafe fn iter(o: O) -> R<O> {
        let m = dunder(o.p(), DU_ITER);
        if !m.is_null() { return iter_native(o.p(), m); }
        O::own(ffi::PyObject_GetIter(o.p()))
    }

    /// The iterator of a for loop or a comprehension's clause (never
    /// seen by Python code): an exact list or tuple is walked by index
    /// as its own iterator does (the size read at every step, so items
    /// appended in the loop are seen and a cleared list ends it; once
    /// ended, it stays ended), without the iterator object and a call
    /// per item; anything else through its iterator.
    /// A range of ints read in place (each within two digits) counts
    /// without its iterator, making the ints its iterator makes.
    pub enum It { Seq(O, std::cell::Cell<isize>, bool), Range(std::cell::Cell<i64>, std::cell::Cell<i64>, i64), G(O) }
    #[inline]
    pub unsafe fn iter_l(o: O) -> R<It> {
        let p = o.p();
        if ffi::PyList_CheckExact(p) != 0 { return Ok(It::Seq(o, std::cell::Cell::new(0), true)); }
        if ffi::PyTuple_CheckExact(p) != 0 { return Ok(It::Seq(o, std::cell::Cell::new(0), false)); }
        if ffi::Py_TYPE(p) == std::ptr::addr_of_mut!(ffi::PyRange_Type) {
            if let Some((start, len, step)) = range_parts(p) {
                return Ok(It::Range(std::cell::Cell::new(start), std::cell::Cell::new(len), step));
            }
        }
        Ok(It::G(iter(o)?))
    }
    /// A range object's start, stop and step are its first three fields
    /// (CPython's rangeobject, 3.8 to 3.13): checked at import on
    /// range(-3, 11, 2), else ranges go through their iterator.
    static mut RANGE_FAST: bool = false;
    unsafe fn range_field(r: P, k: usize) -> P { *((r as *const P).add(2 + k)) }
    unsafe fn range_selftest() -> bool {
        let r = ffi::PyObject_CallFunction(std::ptr::addr_of_mut!(ffi::PyRange_Type) as P,
                                           c"iii".as_ptr(), -3 as c_int, 11 as c_int, 2 as c_int);
        if r.is_null() { ffi::PyErr_Clear(); return false; }
        let ok = (0..3).zip([-3i64, 11, 2]).all(|(k, want)| {
            let f = range_field(r, k);
            !f.is_null() && ffi::PyLong_CheckExact(f) != 0 && crate::rt::small_int(f) == Some(want)
        });
        ffi::Py_DECREF(r);
        ok
    }
    /// (start, length, step) of a range whose three ints read in place.
    unsafe fn range_parts(r: P) -> Option<(i64, i64, i64)> {
        if !RANGE_FAST { return None; }
        let get = |k: usize| crate::rt::small_int(range_field(r, k));
        let (start, stop, step) = (get(0)?, get(1)?, get(2)?);
        let len = if step > 0 && start < stop {
            (stop - start - 1) / step + 1
        } else if step < 0 && start > stop {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        };
        Some((start, len, step))
    }
    #[inline]
    pub unsafe fn next_l(it: &It) -> R<Option<O>> {
        match it {
            It::Range(cur, left, step) => {
                let n = left.get();
                if n <= 0 { return Ok(None); }
                left.set(n - 1);
                let v = cur.get();
                cur.set(v + step);
                Ok(Some(int_obj(v)?))
            }
            It::Seq(s, i, list) => {
                let (p, k) = (s.p(), i.get());
                let n = if *list { ffi::PyList_GET_SIZE(p) } else { ffi::PyTuple_GET_SIZE(p) };
                if k < n {
                    i.set(k + 1);
                    let v = if *list { ffi::PyList_GET_ITEM(p, k) } else { ffi::PyTuple_GET_ITEM(p, k) };
                    return Ok(Some(O::borrow(v)));
                }
                // listiter forgets its list at the end: later appends
                // are not seen
                i.set(isize::MAX);
                Ok(None)
            }
            It::G(g) => next(g),
        }
    }

    /// FOR_ITER: Ok(None) at the end.
    #[inline]
    pub unsafe fn next(it: &O) -> R<Option<O>> {
        let f = (*ffi::Py_TYPE(it.p())).tp_iternext;
        let r = match f { Some(f) => f(it.p()), None => ffi::PyIter_Next(it.p()) };
        if !r.is_null() { return Ok(Some(O(NonNull::new_unchecked(r)))); }
        if !ffi::PyErr_Occurred().is_null() {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_StopIteration) == 0 { return Err(X); }
            ffi::PyErr_Clear();
        }
        Ok(None)
    }

    unsafe fn unpack_iter(v: &O) -> R<O> {
        let t = ffi::Py_TYPE(v.p());
        if (*t).tp_iter.is_none() && ffi::PySequence_Check(v.p()) == 0 {
            let m = format!("cannot unpack non-iterable {} object", type_name(v.p()));
            return Err(raise_str(ffi::PyExc_TypeError, &m));
        }
        O::own(ffi::PyObject_GetIter(v.p()))
    }

    /// a, b, c = v (UNPACK_SEQUENCE).
    pub unsafe fn unpack<const N: usize>(v: O) -> R<[O; N]> {
        let p = v.p();
        if ffi::PyTuple_CheckExact(p) != 0 && ffi::PyTuple_GET_SIZE(p) == N as isize {
            return Ok(std::array::from_fn(|i| O::borrow(ffi::PyTuple_GET_ITEM(p, i as isize))));
        }
        if ffi::PyList_CheckExact(p) != 0 && ffi::PyList_GET_SIZE(p) == N as isize {
            return Ok(std::array::from_fn(|i| O::borrow(ffi::PyList_GET_ITEM(p, i as isize))));
        }
        let mut out: Vec<O> = Vec::with_capacity(N);
        {
            let it = unpack_iter(&v)?;
            for i in 0..N {
                match next(&it)? {
                    Some(x) => out.push(x),
                    None => {
                        let m = format!("not enough values to unpack (expected {}, got {})", N, i);
                        return Err(raise_str(ffi::PyExc_ValueError, &m));
                    }
                }
            }
            if next(&it)?.is_some() {
                let pv = v.p();
                let m = if PY_MINOR >= 12 && (ffi::PyList_CheckExact(pv) != 0 || ffi::PyTuple_CheckExact(pv) != 0 || ffi::PyDict_CheckExact(pv) != 0) {
                    let n = if ffi::PyDict_CheckExact(pv) != 0 { ffi::PyDict_Size(pv) } else { ffi::Py_SIZE(pv) };
                    format!("too many values to unpack (expected {}, got {})", N, n)
                } else {
                    format!("too many values to unpack (expected {})", N)
                };
                return Err(raise_str(ffi::PyExc_ValueError, &m));
            }
        }
        match out.try_into() { Ok(a) => Ok(a), Err(_) => Err(raise_str(ffi::PyExc_SystemError, "unpack")) }
    }

    /// a, *b, c = v (UNPACK_EX): before items, a list, after items.
    pub unsafe fn unpack_ex(v: O, before: usize, after: usize) -> R<Vec<O>> {
        let it = unpack_iter(&v)?;
        let mut out: Vec<O> = Vec::with_capacity(before + after + 1);
        for i in 0..before {
            match next(&it)? {
                Some(x) => out.push(x),
                None => {
                    let m = format!("not enough values to unpack (expected at least {}, got {})", before + after, i);
                    return Err(raise_str(ffi::PyExc_ValueError, &m));
                }
            }
        }
        let l = O::own(ffi::PySequence_List(it.p()))?;
        let n = ffi::PyList_GET_SIZE(l.p()) as usize;
        if n < after {
            let m = format!("not enough values to unpack (expected at least {}, got {})", before + after, before + n);
            return Err(raise_str(ffi::PyExc_ValueError, &m));
        }
        let tail = O::own(ffi::PyList_GetSlice(l.p(), (n - after) as isize, n as isize))?;
        if ffi::PyList_SetSlice(l.p(), (n - after) as isize, n as isize, null_mut()) < 0 { return Err(X); }
        out.push(l);
        for i in 0..after { out.push(O::borrow(ffi::PyList_GET_ITEM(tail.p(), i as isize))); }
        Ok(out)
    }

    // ---- displays ----

    pub unsafe fn list_of<const N: usize>(items: [O; N]) -> R<O> {
        let l = O::own(ffi::PyList_New(N as isize))?;
        for (i, x) in items.into_iter().enumerate() { ffi::PyList_SET_ITEM(l.p(), i as isize, x.into_raw()); }
        Ok(l)
    }
    pub unsafe fn tuple_of<const N: usize>(items: [O; N]) -> R<O> {
        let t = O::own(ffi::PyTuple_New(N as isize))?;
        for (i, x) in items.into_iter().enumerate() { ffi::PyTuple_SET_ITEM(t.p(), i as isize, x.into_raw()); }
        Ok(t)
    }
    #[inline]
    pub unsafe fn list_append(l: &O, v: O) -> R<()> {
        if ffi::PyList_Append(l.p(), v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    /// [*it] (LIST_EXTEND).
    pub unsafe fn list_extend(l: &O, it: O) -> R<()> {
        if extend_list(l, &it).is_err() {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_TypeError) != 0
                && (*ffi::Py_TYPE(it.p())).tp_iter.is_none() && ffi::PySequence_Check(it.p()) == 0 {
                ffi::PyErr_Clear();
                let m = format!("Value after * must be an iterable, not {}", type_name(it.p()));
                return Err(raise_str(ffi::PyExc_TypeError, &m));
            }
            return Err(X);
        }
        Ok(())
    }
    pub unsafe fn list_to_tuple(l: O) -> R<O> { O::own(ffi::PyList_AsTuple(l.p())) }
    pub unsafe fn set_new() -> R<O> { O::own(ffi::PySet_New(null_mut())) }
    #[inline]
    pub unsafe fn set_add(s: &O, v: O) -> R<()> {
        if ffi::PySet_Add(s.p(), v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    /// {*it} (SET_UPDATE: iter()'s own TypeError, no other message).
    pub unsafe fn set_update(s: &O, it: O) -> R<()> {
        let i = O::own(ffi::PyObject_GetIter(it.p()))?;
        while let Some(v) = next(&i)? { set_add(s, v)?; }
        Ok(())
    }
    pub unsafe fn dict_new() -> R<O> { O::own(ffi::PyDict_New()) }
    #[inline]
    pub unsafe fn dict_set(d: &O, k: O, v: O) -> R<()> {
        if ffi::PyDict_SetItem(d.p(), k.p(), v.p()) < 0 { Err(X) } else { Ok(()) }
    }
    /// {**m} (DICT_UPDATE).
    pub unsafe fn dict_update(d: &O, m: O) -> R<()> {
        if ffi::PyDict_Update(d.p(), m.p()) < 0 {
            if ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 {
                ffi::PyErr_Clear();
                let msg = format!("'{}' object is not a mapping", type_name(m.p()));
                return Err(raise_str(ffi::PyExc_TypeError, &msg));
            }
            return Err(X);
        }
        Ok(())
    }

    // ---- strings ----

    /// FORMAT_VALUE: conversion ('r', 's', 'a' or 0) then format(v, spec).
    pub unsafe fn fmt(v: O, conv: u8, spec: Option<O>) -> R<O> {
        let v = match conv {
            b'r' => O::own(ffi::PyObject_Repr(v.p()))?,
            b's' => O::own(ffi::PyObject_Str(v.p()))?,
            b'a' => O::own(ffi::PyObject_ASCII(v.p()))?,
            _ => v,
        };
        if spec.is_none() && ffi::PyUnicode_CheckExact(v.p()) != 0 { return Ok(v); }
        O::own(ffi::PyObject_Format(v.p(), spec.as_ref().map_or(null_mut(), |s| s.p())))
    }
    /// BUILD_STRING.
    pub unsafe fn join<const N: usize>(parts: [O; N]) -> R<O> {
        let t = tuple_of(parts)?;
        O::own(ffi::PyUnicode_Join(EMPTY_STR, t.p()))
    }

    // ---- with ----

    /// The special method name of type(o), bound to o (_PyObject_LookupSpecial).
    unsafe fn lookup_special(o: P, name: P) -> R<Option<O>> {
        let d = _PyType_Lookup(ffi::Py_TYPE(o), name);
        if d.is_null() { return if ffi::PyErr_Occurred().is_null() { Ok(None) } else { Err(X) }; }
        let get = (*ffi::Py_TYPE(d)).tp_descr_get;
        match get {
            Some(g) => Ok(Some(O::own(g(d, o, ffi::Py_TYPE(o) as P))?)),
            None => Ok(Some(O::borrow(d))),
        }
    }

    /// BEFORE_WITH: (bound __exit__, result of __enter__()).
    pub unsafe fn with_enter(mgr: O) -> R<(O, O)> {
        let enter = match lookup_special(mgr.p(), S_ENTER)? {
            Some(e) => e,
            None => {
                let m = format!("'{}' object does not support the context manager protocol", type_name(mgr.p()));
                return Err(raise_str(ffi::PyExc_TypeError, &m));
            }
        };
        let exit = match lookup_special(mgr.p(), S_EXIT)? {
            Some(e) => e,
            None => {
                let m = format!("'{}' object does not support the context manager protocol (missed __exit__ method)", type_name(mgr.p()));
                return Err(raise_str(ffi::PyExc_TypeError, &m));
            }
        };
        let r = call(enter, [None])?;
        Ok((exit, r))
    }

    pub unsafe fn with_exit_ok(exit: O) -> R<()> {
        call(exit, [None, Some(none()), Some(none()), Some(none())]).map(|_| ())
    }

    /// __exit__(type, value, traceback) while exc is raised: true when it
    /// suppresses the exception.
    pub unsafe fn with_exit_exc(exit: O, exc: &O) -> R<bool> {
        let t = O::borrow(ffi::Py_TYPE(exc.p()) as P);
        let tb = ffi::PyException_GetTraceback(exc.p());
        let tb = if tb.is_null() { none() } else { O(NonNull::new_unchecked(tb)) };
        let r = call(exit, [None, Some(t), Some(exc.clone()), Some(tb)])?;
        truth(r)
    }

    // ---- imports ----

    /// IMPORT_NAME: builtins.__import__ as looked up now, called as the
    /// interpreter calls it.
    pub unsafe fn import(cx: &NFn, name: P, fromlist: P, level: i32) -> R<O> {
        let imp = {
            let b = cx.builtins;
            let v = if ffi::PyDict_CheckExact(b) != 0 { ffi::PyDict_GetItemWithError(b, S_IMPORT) } else { null_mut() };
            if v.is_null() {
                if !ffi::PyErr_Occurred().is_null() { return Err(X); }
                return Err(raise_str(ffi::PyExc_ImportError, "__import__ not found"));
            }
            O::borrow(v)
        };
        let lv = O::own(ffi::PyLong_FromLong(level as _))?;
        let fl = if fromlist.is_null() { none() } else { O::borrow(fromlist) };
        call(imp, [None, Some(O::borrow(name)), Some(O::borrow(cx.globals)), Some(none()), Some(fl), Some(lv)])
    }

    /// IMPORT_FROM: the attribute, else the submodule from sys.modules.
    pub unsafe fn import_from(m: &O, name: P) -> R<O> {
        let v = ffi::PyObject_GetAttr(m.p(), name);
        if !v.is_null() { return Ok(O(NonNull::new_unchecked(v))); }
        if ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) == 0 { return Err(X); }
        ffi::PyErr_Clear();
        let pkg = ffi::PyObject_GetAttr(m.p(), S_NAME);
        if !pkg.is_null() && ffi::PyUnicode_Check(pkg) != 0 {
            let full = format!("{}.{}", str_of(pkg), str_of(name));
            let cfull = std::ffi::CString::new(full).unwrap();
            let mods = ffi::PyImport_GetModuleDict();
            let sub = ffi::PyDict_GetItemString(mods, cfull.as_ptr());
            if !sub.is_null() { ffi::Py_DECREF(pkg); return Ok(O::borrow(sub)); }
        }
        ffi::PyErr_Clear();
        let pkgname = if pkg.is_null() { "<unknown module name>".to_string() } else { str_of(pkg) };
        let file = ffi::PyModule_Check(m.p()) != 0;
        let path = if file { ffi::PyModule_GetFilenameObject(m.p()) } else { null_mut() };
        if path.is_null() { ffi::PyErr_Clear(); }
        let msg = if path.is_null() {
            format!("cannot import name '{}' from '{}' (unknown location)", str_of(name), pkgname)
        } else {
            format!("cannot import name '{}' from '{}' ({})", str_of(name), pkgname, str_of(path))
        };
        let cmsg = std::ffi::CString::new(msg).unwrap();
        let s = ffi::PyUnicode_FromString(cmsg.as_ptr());
        ffi::PyErr_SetImportError(s, if pkg.is_null() { ffi::Py_None() } else { pkg }, if path.is_null() { ffi::Py_None() } else { path });
        ffi::Py_XDECREF(s);
        ffi::Py_XDECREF(pkg);
        ffi::Py_XDECREF(path);
        Err(X)
    }

    /// LOAD_BUILD_CLASS: __build_class__ from the builtins.
    pub unsafe fn build_class(cx: &NFn) -> R<O> {
        let b = cx.builtins;
        let v = if ffi::PyDict_CheckExact(b) != 0 {
            ffi::PyDict_GetItemString(b, c"__build_class__".as_ptr())
        } else {
            null_mut()
        };
        if v.is_null() {
            return Err(name_error("__build_class__ not found", S_BUILTINS));
        }
        Ok(O::borrow(v))
    }

    /// Is f the builtin (0 globals, 1 locals, 2 vars, 3 dir, 4 eval,
    /// 5 exec) that would read the native function's frame?
    #[inline]
    pub unsafe fn is_frame_builtin(f: &O, i: usize) -> bool { f.p() == FRAME_BUILTINS[i] }

    // ---- generator expressions consumed inline ----
    //
    // sum(x for x in xs) with sum still the builtin: the generator's body
    // runs as a loop here, and each step does what the consumer does with
    // an item (the C code of sum, any, all, min, max, sorted, list,
    // tuple, set, str.join in 3.11), so values, order of calls and errors
    // are the same. An error in the body is the generator's (its frame's
    // traceback entry, StopIteration made RuntimeError: gen_error); an
    // error of the consumer's step is the caller's.

    #[inline]
    pub unsafe fn is_consumer(f: &O, i: usize) -> bool { f.p() == CONSUMERS[i] }
    #[inline]
    pub unsafe fn is_str_exact(v: &O) -> bool { ffi::PyUnicode_CheckExact(v.p()) != 0 }
    #[inline]
    pub unsafe fn zero() -> R<O> { O::own(ffi::PyLong_FromLong(0)) }

    /// min/max: item replaces the best so far when it compares op (LT for
    /// min, GT for max) to it, as min_max() does without a key.
    #[inline]
    pub unsafe fn minmax_step(best: &mut Option<O>, item: O, op: u32) -> R<()> {
        match best {
            None => { *best = Some(item); Ok(()) }
            Some(b) => match ffi::PyObject_RichCompareBool(item.p(), b.p(), op as _) {
                r if r < 0 => Err(X),
                0 => Ok(()),
                _ => { *best = Some(item); Ok(()) }
            },
        }
    }

    pub unsafe fn minmax_end(best: Option<O>, is_min: bool) -> R<O> {
        match best {
            Some(b) => Ok(b),
            None => Err(raise_str(ffi::PyExc_ValueError,
                                  if is_min { "min() arg is an empty sequence" }
                                  else { "max() arg is an empty sequence" })),
        }
    }

    pub unsafe fn list_sort(l: &O) -> R<()> {
        if ffi::PyList_Sort(l.p()) < 0 { Err(X) } else { Ok(()) }
    }

    pub unsafe fn str_join(sep: &O, l: O) -> R<O> { O::own(ffi::PyUnicode_Join(sep.p(), l.p())) }

    /// An error leaving an inlined generator expression's body, as the
    /// generator hands it on: a StopIteration becomes RuntimeError
    /// ("generator raised StopIteration", PEP 479) with it as the cause
    /// and the context (CPython's _PyErr_FormatFromCause).
    #[cold]
    pub unsafe fn gen_error() {
        if ffi::PyErr_ExceptionMatches(ffi::PyExc_StopIteration) == 0 { return; }
        let (mut t, mut v, mut tb) = (null_mut(), null_mut(), null_mut());
        ffi::PyErr_Fetch(&mut t, &mut v, &mut tb);
        ffi::PyErr_NormalizeException(&mut t, &mut v, &mut tb);
        if !tb.is_null() { ffi::PyException_SetTraceback(v, tb); ffi::Py_DECREF(tb); }
        ffi::Py_DECREF(t);
        ffi::PyErr_SetString(ffi::PyExc_RuntimeError, c"generator raised StopIteration".as_ptr());
        let (mut t2, mut v2, mut tb2) = (null_mut(), null_mut(), null_mut());
        ffi::PyErr_Fetch(&mut t2, &mut v2, &mut tb2);
        ffi::PyErr_NormalizeException(&mut t2, &mut v2, &mut tb2);
        ffi::Py_INCREF(v);
        ffi::PyException_SetCause(v2, v);
        ffi::PyException_SetContext(v2, v);
        ffi::PyErr_Restore(t2, v2, tb2);
    }

    pub unsafe fn globals_of(cx: &NFn) -> O { O::borrow(cx.globals) }

    /// locals(): a local, when bound, into the snapshot dict.
    pub unsafe fn locals_add(d: &O, name: P, v: &Option<O>) -> R<()> {
        if let Some(v) = v { if ffi::PyDict_SetItem(d.p(), name, v.p()) < 0 { return Err(X); } }
        Ok(())
    }
    pub unsafe fn locals_addv(d: &O, name: P, v: &mut Option<V>) -> R<()> {
        if v.is_none() { return Ok(()); }
        let o = ldv(v, name, false)?;
        if ffi::PyDict_SetItem(d.p(), name, o.p()) < 0 { return Err(X); }
        Ok(())
    }
    pub unsafe fn locals_add_cell(d: &O, name: P, c: &O) -> R<()> {
        let v = ffi::PyCell_Get(c.p());
        if v.is_null() { return Ok(()); }
        let v = O(NonNull::new_unchecked(v));
        if ffi::PyDict_SetItem(d.p(), name, v.p()) < 0 { return Err(X); }
        Ok(())
    }
    pub unsafe fn locals_add_free(cx: &NFn, d: &O, name: P, i: usize) -> R<()> {
        let v = ffi::PyCell_Get(ffi::PyTuple_GET_ITEM(cx.closure, i as isize));
        if v.is_null() { return Ok(()); }
        let v = O(NonNull::new_unchecked(v));
        if ffi::PyDict_SetItem(d.p(), name, v.p()) < 0 { return Err(X); }
        Ok(())
    }
    /// dir() with no argument: the sorted names of the locals.
    pub unsafe fn sorted_keys(d: O) -> R<O> {
        let l = O::own(ffi::PyDict_Keys(d.p()))?;
        if ffi::PyList_Sort(l.p()) < 0 { return Err(X); }
        Ok(l)
    }

    // ---- nested functions ----

    /// MAKE_FUNCTION: a function object of the original's nested code
    /// object, with its defaults and closure cells.
    pub unsafe fn make_fn(cx: &NFn, i: usize, defaults: Option<O>, kwdefaults: Option<O>, closure: Option<O>) -> R<O> {
        let code = ffi::PyTuple_GET_ITEM(cx.nested, i as isize);
        if code == ffi::Py_None() {
            // wrap() found no such code: the compiler removed it as
            // unreachable, so this cannot run
            return Err(raise_str(ffi::PyExc_SystemError,
                                 "rustify: a nested code object the original's code does not hold"));
        }
        let f = O::own(ffi::PyFunction_New(code, cx.globals))?;
        if let Some(d) = defaults { if ffi::PyFunction_SetDefaults(f.p(), d.p()) < 0 { return Err(X); } }
        if let Some(d) = kwdefaults { if ffi::PyFunction_SetKwDefaults(f.p(), d.p()) < 0 { return Err(X); } }
        if let Some(c) = closure { if ffi::PyFunction_SetClosure(f.p(), c.p()) < 0 { return Err(X); } }
        Ok(f)
    }

    // ---- the native function type ----

    /// One native function: its place in the original's code and its
    /// parameters, in co_varnames order (positional, keyword-only, *args,
    /// **kwargs).
    pub struct Spec {
        pub qualname: &'static str,
        pub line: u32,
        pub params: &'static [&'static str],
        pub nposonly: usize,
        pub npos: usize,
        pub nkwonly: usize,
        pub varargs: bool,
        pub varkw: bool,
        pub freevars: &'static [&'static str],
        /// (co_name, first line, last line, ordinal, co_freevars, parent:
        /// the inlined generator expression's entry it is in, or -1,
        /// maybe_dead: made after a return, raise, break, continue or
        /// assert of a false constant in its block)
        pub nested: &'static [(&'static str, u32, u32, u32, &'static [&'static str], i32, bool)],
        pub f: Option<unsafe fn(&NFn, *const P) -> P>,
        /// The typed tier's entry (a pyo3 function of the module).
        pub typed: Option<&'static str>,
        /// The module globals the typed code was compiled against:
        /// (kind, name, module, attr or literal, line), see GuardSet.
        pub guards: &'static [(u8, &'static str, &'static str, &'static str, u32)],
        /// Arguments holding a NaN run the original (identity.c).
        pub nan_guard: bool,
        /// Calls that entered from Python: [ran natively, ran the
        /// original] (_rustify_call_counts).
        pub counts: &'static Counts,
    }

    /// A function's call counters, changed under the GIL only: [native,
    /// fallback, typed re-runs] (the last: calls whose typed code gave up
    /// and re-ran on the object body, _rustify_typed_reruns).
    pub struct Counts(std::cell::UnsafeCell<[u64; 3]>);
    unsafe impl Sync for Counts {}
    impl Counts {
        pub const NEW: Counts = Counts(std::cell::UnsafeCell::new([0, 0, 0]));
        #[inline(always)]
        unsafe fn add(&self, fallback: bool) { (*self.0.get())[fallback as usize] += 1; }
    }

    #[repr(C)]
    pub struct NFn {
        ob: ffi::PyObject,
        vectorcall: Option<ffi::vectorcallfunc>,
        pub func: P,
        pub globals: P,
        pub builtins: P,
        pub closure: P,
        pub code: P,
        pub nested: P,
        pub frame: std::cell::Cell<P>,
        tbcache: std::cell::Cell<P>,
        /// The keyword-only parameters' names, interned (bind's look-up
        /// of their defaults), made on the first call that needs them.
        kwo: std::cell::Cell<P>,
        /// lasti_for's last answers: (position, lasti, filled).
        lasti: [std::cell::Cell<((u32, u32, u32, u32), i64, bool)>; 4],
        typed: P,
        weaklist: P,
        spec: *const Spec,
        guards: *mut GuardSet,
        /// A typed function's object-tier version (typed null), run
        /// where the typed code cannot answer, or null.
        alt: P,
        /// Typed calls and those the object body re-ran, per window of
        /// TYPED_WINDOW calls; skip: calls left that go straight to the
        /// object body (a function whose ints outgrow 64 bits on most
        /// calls would otherwise do its typed work twice each time).
        tcalls: std::cell::Cell<u32>,
        tredo: std::cell::Cell<u32>,
        tskip: std::cell::Cell<u32>,
        /// The number of positional arguments a call passes when the
        /// object body takes them as they come (no typed code, no
        /// *args, **kwargs or keyword-only parameters), else -1; and the
        /// body: what nfn_vectorcall checks first.
        fast: isize,
        body: Option<unsafe fn(&NFn, *const P) -> P>,
    }
    const TYPED_WINDOW: u32 = 32;
    const TYPED_SKIP: u32 = 1024;

    /// The typed tier inlines module constants and calls translated
    /// helpers, builtins and math functions directly. Before each call the
    /// names involved must still be bound as at the wrap (constants to the
    /// same object, helpers to the same code, builtins not shadowed): a
    /// rebinding by any means (global, globals(), setattr, mock.patch,
    /// monkeypatched builtins) sends the call to the original function,
    /// before anything has happened. The dicts' versions skip the check
    /// while none of them changed.
    /// lit: for a set constant ('s'), the set its literal makes, which
    /// the global's content is checked against at each call.
    struct Guard { kind: u8, name: P, expect: P, module: P, attr: P, lit: P }
    pub struct GuardSet { g: Vec<Guard>, dicts: Vec<(P, u64)>, valid: bool }

    impl Drop for GuardSet {
        fn drop(&mut self) {
            unsafe {
                for g in &self.g {
                    ffi::Py_XDECREF(g.expect);
                    ffi::Py_XDECREF(g.module);
                    ffi::Py_XDECREF(g.name);
                    ffi::Py_XDECREF(g.attr);
                    ffi::Py_XDECREF(g.lit);
                }
            }
        }
    }

    unsafe fn code_of(v: P) -> P {
        if v.is_null() { return null_mut(); }
        if ffi::PyFunction_Check(v) != 0 { return ffi::PyFunction_GetCode(v); }
        if ffi::Py_TYPE(v) == NFN_TYPE { return (*(v as *mut NFn)).code; }
        null_mut()
    }

    /// A builtin as the interpreter made it: a C function of the builtins
    /// module, or a static (non-heap) type.
    unsafe fn genuine_builtin(v: P, module: P) -> bool {
        if v.is_null() { return false; }
        if ffi::PyCFunction_Check(v) != 0 { return ffi::PyCFunction_GetSelf(v) == module; }
        if ffi::PyType_Check(v) != 0 {
            return ((*(v as *mut ffi::PyTypeObject)).tp_flags & ffi::Py_TPFLAGS_HEAPTYPE) == 0;
        }
        false
    }

    unsafe fn same_literal(v: P, lit: P) -> bool {
        if v.is_null() || ffi::Py_TYPE(v) != ffi::Py_TYPE(lit) { return false; }
        if ffi::PyFloat_CheckExact(v) != 0 {
            return ffi::PyFloat_AS_DOUBLE(v).to_bits() == ffi::PyFloat_AS_DOUBLE(lit).to_bits();
        }
        let r = ffi::PyObject_RichCompareBool(v, lit, ffi::Py_EQ);
        if r < 0 { ffi::PyErr_Clear(); }
        r == 1
    }

    /// v holds what the set literal lit holds, every item of v of the
    /// exact type the literal's are (a str subclass with an __eq__ of
    /// its own would change what `in` answers). O(len): sets have no
    /// version tag.
    unsafe fn set_same(v: P, lit: P) -> bool {
        if v.is_null() || ffi::Py_TYPE(v) != ffi::Py_TYPE(lit)
            || ffi::PySet_Size(v) != ffi::PySet_Size(lit) { return false; }
        let (mut pos, mut key, mut hash): (isize, P, isize) = (0, null_mut(), 0);
        while _PySet_NextEntry(v, &mut pos, &mut key, &mut hash) != 0 {
            if ffi::PyUnicode_CheckExact(key) == 0 && ffi::PyLong_CheckExact(key) == 0 { return false; }
            let r = ffi::PySet_Contains(lit, key);
            if r != 1 { if r < 0 { ffi::PyErr_Clear(); } return false; }
        }
        true
    }

    /// Python's value of a guard's literal text, or null.
    unsafe fn eval_literal(text: &str) -> P {
        let src = std::ffi::CString::new(text).unwrap();
        let code = ffi::Py_CompileString(src.as_ptr(), c"<rustify guard>".as_ptr(), ffi::Py_eval_input);
        let lit = if code.is_null() { null_mut() } else {
            let d = ffi::PyDict_New();
            let r = ffi::PyEval_EvalCode(code, d, d);
            ffi::Py_DECREF(code);
            ffi::Py_XDECREF(d);
            r
        };
        ffi::PyErr_Clear();
        lit
    }

    unsafe fn dict_get(d: P, k: P) -> P {
        let v = ffi::PyDict_GetItemWithError(d, k);
        if v.is_null() { ffi::PyErr_Clear(); }
        v
    }

    unsafe fn istr(s: &str) -> P {
        let p = ffi::PyUnicode_FromStringAndSize(s.as_ptr() as *const c_char, s.len() as isize);
        if p.is_null() { ffi::PyErr_Clear(); return null_mut(); }
        let mut p = p;
        ffi::PyUnicode_InternInPlace(&mut p);
        p
    }

    /// The guards of a typed function bound to these globals, or None
    /// when they already differ from what it was translated against.
    unsafe fn guards_new(spec: &Spec, globals: P, builtins: P) -> Option<Box<GuardSet>> {
        let mut gs = Box::new(GuardSet { g: vec![], dicts: vec![(globals, 0), (builtins, 0)], valid: false });
        let bmod = ffi::PyImport_ImportModule(c"builtins".as_ptr());
        if bmod.is_null() { ffi::PyErr_Clear(); return None; }
        ffi::Py_DECREF(bmod); // kept alive by sys.modules
        for &(kind, name, module, attr, line) in spec.guards {
            let n = istr(name);
            if n.is_null() { return None; }
            let mut g = Guard { kind, name: n, expect: null_mut(), module: null_mut(), attr: null_mut(), lit: null_mut() };
            let v = dict_get(globals, n);
            let ok = match kind {
                b'c' => {
                    let lit = eval_literal(attr);
                    let same = !lit.is_null() && same_literal(v, lit);
                    ffi::Py_XDECREF(lit);
                    if same { g.expect = v; }
                    same
                }
                b's' => {
                    let lit = eval_literal(attr);
                    let same = !lit.is_null() && set_same(v, lit);
                    if same { g.expect = v; g.lit = lit; } else { ffi::Py_XDECREF(lit); }
                    same
                }
                b'f' => {
                    let code = code_of(v);
                    let ok = !code.is_null() && attr_str(code, c"co_name").as_deref() == Some(name)
                        && attr_int(code, c"co_firstlineno") == line as i64;
                    if ok { g.expect = code; }
                    ok
                }
                b'b' => {
                    let b = dict_get(builtins, n);
                    let ok = v.is_null() && genuine_builtin(b, bmod);
                    if ok { g.expect = b; }
                    ok
                }
                b'm' | b'a' => {
                    let cm = std::ffi::CString::new(module).unwrap();
                    let m = ffi::PyImport_ImportModule(cm.as_ptr());
                    if m.is_null() { ffi::PyErr_Clear(); return None; }
                    ffi::Py_DECREF(m);
                    let a = istr(attr);
                    g.attr = a;
                    let want = if a.is_null() { null_mut() } else { dict_get(ffi::PyModule_GetDict(m), a) };
                    let real = !want.is_null() && (genuine_builtin(want, m) || ffi::PyFloat_CheckExact(want) != 0);
                    if kind == b'm' {
                        let ok = v == m && real;
                        if ok { g.module = m; g.expect = want; gs.dicts.push((ffi::PyModule_GetDict(m), 0)); }
                        ok
                    } else {
                        let ok = real && v == want;
                        if ok { g.expect = want; }
                        ok
                    }
                }
                _ => false,
            };
            if !ok {
                ffi::Py_DECREF(n);
                ffi::Py_XDECREF(g.attr);
                return None;
            }
            ffi::Py_XINCREF(g.expect);
            ffi::Py_XINCREF(g.module);
            gs.g.push(g);
        }
        Some(gs)
    }

    unsafe fn guards_hold(gs: &mut GuardSet, globals: P, builtins: P) -> bool {
        if DICT_VERSIONS && gs.valid && gs.dicts.iter().all(|&(d, v)| dict_version(d) == v) {
            // the same objects are bound: a set's content can still change
            return gs.g.iter().all(|g| g.kind != b's' || set_same(g.expect, g.lit));
        }
        gs.valid = false;
        for g in gs.g.iter_mut() {
            let v = dict_get(globals, g.name);
            let ok = match g.kind {
                // a constant rebound to an equal one of the same type (a
                // restored copy, a reload) still holds what the typed
                // code inlined: it is followed from here on
                b'c' if v != g.expect && same_literal(v, g.expect) => {
                    ffi::Py_INCREF(v);
                    ffi::Py_DECREF(g.expect);
                    g.expect = v;
                    true
                }
                b's' if set_same(v, g.lit) => {
                    if v != g.expect {
                        ffi::Py_INCREF(v);
                        ffi::Py_DECREF(g.expect);
                        g.expect = v;
                    }
                    true
                }
                b's' => false,
                b'c' | b'a' => v == g.expect,
                b'f' => code_of(v) == g.expect,
                b'b' => v.is_null() && dict_get(builtins, g.name) == g.expect,
                b'm' => v == g.module && dict_get(ffi::PyModule_GetDict(g.module), g.attr) == g.expect,
                _ => false,
            };
            if !ok { return false; }
        }
        if DICT_VERSIONS {
            for e in gs.dicts.iter_mut() { e.1 = dict_version(e.0); }
            gs.valid = true;
        }
        true
    }

    static mut NFN_TYPE: *mut ffi::PyTypeObject = null_mut();

    unsafe fn init_nfn_type() -> R<()> {
        if !NFN_TYPE.is_null() { return Ok(()); }
        static mut MEMBERS: [ffi::PyMemberDef; 3] = [ffi::PyMemberDef {
            name: null_mut(), type_code: 0, offset: 0, flags: 0, doc: null_mut() }; 3];
        MEMBERS[0] = ffi::PyMemberDef { name: c"__vectorcalloffset__".as_ptr(), type_code: ffi::Py_T_PYSSIZET,
            offset: std::mem::offset_of!(NFn, vectorcall) as isize, flags: ffi::Py_READONLY, doc: null_mut() };
        MEMBERS[1] = ffi::PyMemberDef { name: c"__weaklistoffset__".as_ptr(), type_code: ffi::Py_T_PYSSIZET,
            offset: std::mem::offset_of!(NFn, weaklist) as isize, flags: ffi::Py_READONLY, doc: null_mut() };
        static mut SLOTS: [ffi::PyType_Slot; 11] = [ffi::PyType_Slot { slot: 0, pfunc: null_mut() }; 11];
        SLOTS[0] = ffi::PyType_Slot { slot: ffi::Py_tp_dealloc, pfunc: nfn_dealloc as *mut c_void };
        SLOTS[1] = ffi::PyType_Slot { slot: ffi::Py_tp_traverse, pfunc: nfn_traverse as *mut c_void };
        SLOTS[2] = ffi::PyType_Slot { slot: ffi::Py_tp_clear, pfunc: nfn_clear as *mut c_void };
        SLOTS[3] = ffi::PyType_Slot { slot: ffi::Py_tp_call, pfunc: ffi::PyVectorcall_Call as *mut c_void };
        SLOTS[4] = ffi::PyType_Slot { slot: ffi::Py_tp_descr_get, pfunc: nfn_descr_get as *mut c_void };
        SLOTS[5] = ffi::PyType_Slot { slot: ffi::Py_tp_getattro, pfunc: nfn_getattro as *mut c_void };
        SLOTS[6] = ffi::PyType_Slot { slot: ffi::Py_tp_setattro, pfunc: nfn_setattro as *mut c_void };
        SLOTS[7] = ffi::PyType_Slot { slot: ffi::Py_tp_repr, pfunc: nfn_repr as *mut c_void };
        SLOTS[8] = ffi::PyType_Slot { slot: ffi::Py_tp_members, pfunc: std::ptr::addr_of_mut!(MEMBERS) as *mut c_void };
        SLOTS[9] = ffi::PyType_Slot { slot: ffi::Py_tp_methods, pfunc: std::ptr::addr_of_mut!(METHODS) as *mut c_void };
        static mut METHODS: [ffi::PyMethodDef; 2] = [ffi::PyMethodDef::zeroed(); 2];
        METHODS[0] = ffi::PyMethodDef {
            ml_name: c"__reduce__".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunction: nfn_reduce },
            ml_flags: ffi::METH_NOARGS,
            ml_doc: null_mut(),
        };
        static mut SPEC: ffi::PyType_Spec = ffi::PyType_Spec { name: null_mut(), basicsize: 0, itemsize: 0, flags: 0, slots: null_mut() };
        SPEC = ffi::PyType_Spec {
            name: c"rustify.native_function".as_ptr(),
            basicsize: std::mem::size_of::<NFn>() as c_int,
            itemsize: 0,
            // immutable: CPython's specializer then treats it as a
            // method (LOAD_METHOD without a bound method per call)
            flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_HAVE_GC | ffi::Py_TPFLAGS_HAVE_VECTORCALL
                    | ffi::Py_TPFLAGS_METHOD_DESCRIPTOR | ffi::Py_TPFLAGS_IMMUTABLETYPE) as _,
            slots: std::ptr::addr_of_mut!(SLOTS) as *mut ffi::PyType_Slot,
        };
        let t = ffi::PyType_FromSpec(std::ptr::addr_of_mut!(SPEC));
        if t.is_null() { return Err(X); }
        NFN_TYPE = t as *mut ffi::PyTypeObject;
        Ok(())
    }

    unsafe extern "C" fn nfn_dealloc(o: P) {
        ffi::PyObject_GC_UnTrack(o as *mut c_void);
        let f = o as *mut NFn;
        if !(*f).weaklist.is_null() { ffi::PyObject_ClearWeakRefs(o); }
        nfn_clear(o);
        let t = ffi::Py_TYPE(o);
        ffi::PyObject_GC_Del(o as *mut c_void);
        ffi::Py_DECREF(t as P);
    }

    unsafe extern "C" fn nfn_traverse(o: P, visit: ffi::visitproc, arg: *mut c_void) -> c_int {
        let f = o as *mut NFn;
        for p in [(*f).func, (*f).builtins, (*f).code, (*f).nested, (*f).frame.get(), (*f).typed, (*f).tbcache.get(), (*f).alt] {
            if !p.is_null() { let r = visit(p, arg); if r != 0 { return r; } }
        }
        let t = ffi::Py_TYPE(o) as P;
        visit(t, arg)
    }

    unsafe extern "C" fn nfn_clear(o: P) -> c_int {
        let f = o as *mut NFn;
        for p in [&mut (*f).func, &mut (*f).builtins, &mut (*f).code, &mut (*f).nested, &mut (*f).typed, &mut (*f).alt] {
            let old = *p;
            *p = null_mut();
            ffi::Py_XDECREF(old);
        }
        let old = (*f).frame.replace(null_mut());
        ffi::Py_XDECREF(old);
        let old = (*f).tbcache.replace(null_mut());
        ffi::Py_XDECREF(old);
        let old = (*f).kwo.replace(null_mut());
        ffi::Py_XDECREF(old);
        (*f).globals = null_mut();
        (*f).closure = null_mut();
        if !(*f).guards.is_null() {
            drop(Box::from_raw((*f).guards));
            (*f).guards = null_mut();
        }
        0
    }

    /// A function binds to an instance: a bound method.
    unsafe extern "C" fn nfn_descr_get(o: P, obj: P, _t: P) -> P {
        if obj.is_null() || obj == ffi::Py_None() {
            ffi::Py_INCREF(o);
            return o;
        }
        PyMethod_New(o, obj)
    }

    /// Attributes are the original function's (so __doc__, __defaults__,
    /// __dict__ and the rest stay one), but for __wrapped__ (the original,
    /// for inspect.signature) and the type's own.
    unsafe extern "C" fn nfn_getattro(o: P, name: P) -> P {
        let f = o as *mut NFn;
        if (*f).func.is_null() { return ffi::PyObject_GenericGetAttr(o, name); }
        if ffi::PyUnicode_Check(name) != 0 {
            let s = str_of(name);
            if s == "__wrapped__" {
                let w = ffi::PyObject_GetAttr((*f).func, name);
                if !w.is_null() { return w; }
                ffi::PyErr_Clear();
                ffi::Py_INCREF((*f).func);
                return (*f).func;
            }
            if s == "__class__" || s == "__reduce__" || s == "__reduce_ex__" || s == "__get__"
                || s == "__call__" || s == "__vectorcalloffset__" || s == "__weaklistoffset__" {
                return ffi::PyObject_GenericGetAttr(o, name);
            }
        }
        ffi::PyObject_GetAttr((*f).func, name)
    }

    unsafe extern "C" fn nfn_setattro(o: P, name: P, v: P) -> c_int {
        let f = o as *mut NFn;
        if (*f).func.is_null() { return -1; }
        ffi::PyObject_SetAttr((*f).func, name, v)
    }

    unsafe extern "C" fn nfn_repr(o: P) -> P {
        let f = o as *mut NFn;
        if (*f).func.is_null() { return ffi::PyUnicode_FromString(c"<native function>".as_ptr()); }
        ffi::PyObject_Repr((*f).func)
    }

    /// Pickled by reference, like a function: its qualified name.
    unsafe extern "C" fn nfn_reduce(o: P, _a: P) -> P {
        let f = o as *mut NFn;
        ffi::PyObject_GetAttr((*f).func, S_QUALNAME)
    }

    /// The vectorcall entry: binds the arguments as CPython binds them to
    /// the original's parameters (its live __defaults__ and
    /// __kwdefaults__), then runs the native body. Anything unusual (a
    /// binding error, a reassigned __code__) calls the original instead:
    /// nothing has happened yet, so Python gives the exact answer.
    unsafe extern "C" fn nfn_vectorcall(callable: P, args: *const P, nargsf: usize, kwnames: P) -> P {
        let f = &*(callable as *const NFn);
        // the common call: the object body, positional arguments one per
        // parameter, the function's __code__ its own, depth to spare
        if f.fast == ffi::PyVectorcall_NARGS(nargsf)
            && (kwnames.is_null() || ffi::PyTuple_GET_SIZE(kwnames) == 0)
            && (*(f.func as *mut ffi::PyFunctionObject)).func_code == f.code
            && DEPTH < MAX_DEPTH {
            let Ok(rem) = rec_enter() else { return null_mut() };
            DEPTH += 1;
            (*f.spec).counts.add(false);
            let r = (f.body.unwrap_unchecked())(f, args);
            DEPTH -= 1;
            rec_leave(rem);
            return r;
        }
        nfn_vectorcall_slow(f, args, nargsf, kwnames)
    }

    /// Every other call of nfn_vectorcall.
    #[inline(never)]
    unsafe fn nfn_vectorcall_slow(f: &NFn, args: *const P, nargsf: usize, kwnames: P) -> P {
        let spec = &*f.spec;
        if !f.typed.is_null() {
            return typed_call(f, args, nargsf, kwnames);
        }
        let body = match spec.f { Some(b) => b, None => return original(f, args, nargsf, kwnames) };
        if (*(f.func as *mut ffi::PyFunctionObject)).func_code != f.code {
            return original(f, args, nargsf, kwnames);
        }
        // Native frames live on the C stack, Python's do not: past a
        // depth the original runs (in the interpreter, where deep
        // recursion is cheap), before anything has happened. The count
        // is kept under the GIL for all threads together, so a thread
        // never goes deeper than it alone (at worst it falls back sooner
        // while another thread is deep). On 3.11 each native call counts
        // against the recursion limit as a Python frame does, so
        // RecursionError comes where it would.
        if DEPTH >= MAX_DEPTH {
            return original(f, args, nargsf, kwnames);
        }
        // (a plain call took the fast path above)
        nfn_bind_call(f, body, args, nargsf, kwnames)
    }

    /// nfn_vectorcall of a call whose arguments need binding (keywords,
    /// defaults, *args, **kwargs, keyword-only parameters): out of line,
    /// so that the common call (positional arguments, one per parameter)
    /// pays for none of it.
    #[inline(never)]
    unsafe fn nfn_bind_call(f: &NFn, body: unsafe fn(&NFn, *const P) -> P, args: *const P, nargsf: usize, kwnames: P) -> P {
        let spec = &*f.spec;
        let Ok(rem) = rec_enter() else { return null_mut() };
        DEPTH += 1;
        let nargs = ffi::PyVectorcall_NARGS(nargsf) as usize;
        let nparams = spec.params.len();
        // the slots on the stack for up to 8 parameters
        let mut small: [P; 8] = [null_mut(); 8];
        let mut big: Vec<P> = Vec::new();
        let slots: &mut [P] = if nparams <= 8 { &mut small[..nparams] } else { big.resize(nparams, null_mut()); &mut big[..] };
        let mut owned = Keep::new();
        let r = if bind(f, spec, args, nargs, kwnames, slots, &mut owned) {
            spec.counts.add(false);
            body(f, slots.as_ptr())
        } else {
            original(f, args, nargsf, kwnames)
        };
        DEPTH -= 1;
        rec_leave(rem);
        r
    }

    /// How a native call counts against the recursion limit: 0 not at
    /// all (3.12 on: C calls are not Python frames there), 1 by
    /// Py_EnterRecursiveCall and Py_LeaveRecursiveCall (3.11, where each
    /// call from C counts as a frame does), 2 as 3.11 inlines those two
    /// (_Py_EnterRecursiveCallTstate: the thread state's
    /// recursion_remaining taken down, _Py_CheckRecursiveCall when it
    /// runs out), once rec_selftest found the field where
    /// cpython/pystate.h puts it.
    static mut REC_MODE: u8 = 0;
    /// PyThreadState.recursion_remaining in 3.11 (after prev, next,
    /// interp, _initialized and _static).
    const REC_OFF: usize = 32;
    static mut REC_NONE: c_int = 0;

    unsafe fn rec_selftest() {
        REC_MODE = if PY_MINOR == 11 { 1 } else { 0 };
        if REC_MODE == 0 { return; }
        let ts = _PyThreadState_UncheckedGet();
        if ts.is_null() || ts != ffi::PyThreadState_Get() { return; }
        let rem = (ts as *mut u8).add(REC_OFF) as *mut c_int;
        let before = *rem;
        if ffi::Py_EnterRecursiveCall(c"".as_ptr()) != 0 { ffi::PyErr_Clear(); return; }
        let inside = *rem;
        ffi::Py_LeaveRecursiveCall();
        if inside == before - 1 && *rem == before { REC_MODE = 2; }
    }

    /// A native call entered (REC_MODE): Err when RecursionError was
    /// raised; else what rec_leave takes.
    #[inline(always)]
    unsafe fn rec_enter() -> Result<*mut c_int, ()> { rec_enter_w(c"") }

    /// rec_enter with the text RecursionError's message ends with.
    #[inline(always)]
    unsafe fn rec_enter_w(w: &CStr) -> Result<*mut c_int, ()> {
        match REC_MODE {
            2 => {
                let ts = _PyThreadState_UncheckedGet();
                let rem = (ts as *mut u8).add(REC_OFF) as *mut c_int;
                let r = *rem;
                *rem = r - 1;
                if r <= 0 && _Py_CheckRecursiveCall(ts, w.as_ptr()) != 0 { return Err(()); }
                Ok(rem)
            }
            1 => {
                if ffi::Py_EnterRecursiveCall(w.as_ptr()) != 0 { return Err(()); }
                Ok(null_mut())
            }
            _ => Ok(std::ptr::addr_of_mut!(REC_NONE)),
        }
    }

    /// The native call returns (the same thread: its count given back).
    #[inline(always)]
    unsafe fn rec_leave(rem: *mut c_int) {
        if rem.is_null() { ffi::Py_LeaveRecursiveCall(); } else { *rem = (*rem).wrapping_add(1); }
    }

    /// The original Python function runs the call (counted).
    unsafe fn original(f: &NFn, args: *const P, nargsf: usize, kwnames: P) -> P {
        (*f.spec).counts.add(true);
        ffi::PyObject_Vectorcall(f.func, args, nargsf, kwnames)
    }

    static mut DEPTH: u32 = 0;
    /// Native calls nested at most (each frame a few KiB of C stack).
    const MAX_DEPTH: u32 = 600;

    /// A NaN float in v, or in the lists, tuples and dict values it
    /// holds (two levels).
    unsafe fn has_nan(v: P, depth: u32) -> bool {
        if ffi::PyFloat_Check(v) != 0 { return ffi::PyFloat_AS_DOUBLE(v).is_nan(); }
        if depth == 0 { return false; }
        if ffi::PyList_Check(v) != 0 {
            for i in 0..ffi::PyList_GET_SIZE(v) { if has_nan(ffi::PyList_GET_ITEM(v, i), depth - 1) { return true; } }
        } else if ffi::PyTuple_Check(v) != 0 {
            for i in 0..ffi::PyTuple_GET_SIZE(v) { if has_nan(ffi::PyTuple_GET_ITEM(v, i), depth - 1) { return true; } }
        } else if ffi::PyDict_Check(v) != 0 {
            let (mut pos, mut k, mut x) = (0, null_mut(), null_mut());
            while ffi::PyDict_Next(v, &mut pos, &mut k, &mut x) != 0 { if has_nan(x, depth - 1) { return true; } }
        }
        false
    }

    /// Where the typed code cannot answer: the object body when there
    /// is one (native, exact for any value), else the original.
    unsafe fn untyped(f: &NFn, args: *const P, nargsf: usize, kwnames: P) -> P {
        if !f.alt.is_null() { return ffi::PyObject_Vectorcall(f.alt, args, nargsf, kwnames); }
        original(f, args, nargsf, kwnames)
    }

    unsafe fn typed_call(f: &NFn, args: *const P, nargsf: usize, kwnames: P) -> P {
        if f.guards.is_null() || !guards_hold(&mut *f.guards, f.globals, f.builtins) {
            return untyped(f, args, nargsf, kwnames);
        }
        if (*f.spec).nan_guard {
            let n = ffi::PyVectorcall_NARGS(nargsf) as usize
                + if kwnames.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(kwnames) as usize };
            for i in 0..n {
                if has_nan(*args.add(i), 2) { return untyped(f, args, nargsf, kwnames); }
            }
        }
        // The typed entry, when its types do not hold, re-runs the call
        // (nothing observable has happened in typed code) through
        // rt::call_original: on the object body this thread's
        // rt::TYPED_CALL holds (that call counts itself), else on the
        // original, which sets fell_back once it returns. Calls nested
        // in those save and restore the three.
        // A function whose calls mostly end on the object body (ints past
        // 64 bits, floats where ints were seen) runs there directly for a
        // while: the typed attempt would only add to each call.
        let skip = f.tskip.get();
        if skip > 0 && !f.alt.is_null() {
            f.tskip.set(skip - 1);
            return untyped(f, args, nargsf, kwnames);
        }
        let saved = crate::rt::TYPED_CALL.with(|t| (t.alt.replace(f.alt), t.alt_used.replace(false), t.fell_back.replace(false)));
        let r = ffi::PyObject_Vectorcall(f.typed, args, nargsf, kwnames);
        let redo = crate::rt::TYPED_CALL.with(|t| {
            let redo = t.alt_used.get();
            if !redo { (*f.spec).counts.add(t.fell_back.get()); }
            t.alt.set(saved.0);
            t.alt_used.set(saved.1);
            t.fell_back.set(saved.2);
            redo
        });
        if redo { (*(*f.spec).counts.0.get())[2] += 1; }
        let (n, d) = (f.tcalls.get() + 1, f.tredo.get() + redo as u32);
        if n >= TYPED_WINDOW {
            if d * 2 > n { f.tskip.set(TYPED_SKIP); }
            f.tcalls.set(0);
            f.tredo.set(0);
        } else {
            f.tcalls.set(n);
            f.tredo.set(d);
        }
        r
    }

    /// {qualname: value} over the module's functions; value(counts, the
    /// value so far or null) sums two specs of one qualname (a function
    /// defined twice). A new reference, or null with an exception set.
    unsafe fn counts_dict(value: unsafe fn(&[u64; 3], P) -> P) -> P {
        let d = ffi::PyDict_New();
        if d.is_null() { return null_mut(); }
        let specs: &[&Spec] = *std::ptr::addr_of!(SPECS);
        for &s in specs.iter() {
            let k = ffi::PyUnicode_FromStringAndSize(s.qualname.as_ptr() as *const _, s.qualname.len() as ffi::Py_ssize_t);
            let old = if k.is_null() { null_mut() } else { ffi::PyDict_GetItemWithError(d, k) };
            let v = if k.is_null() || !ffi::PyErr_Occurred().is_null() { null_mut() } else { value(&*s.counts.0.get(), old) };
            if v.is_null() || ffi::PyDict_SetItem(d, k, v) < 0 {
                ffi::Py_XDECREF(k);
                ffi::Py_XDECREF(v);
                ffi::Py_DECREF(d);
                return null_mut();
            }
            ffi::Py_DECREF(k);
            ffi::Py_DECREF(v);
        }
        d
    }

    /// _rustify_call_counts(): {qualname: (native, fallback)} of the
    /// calls that entered each function from Python since import (what
    /// the whole-workload check reports).
    unsafe extern "C" fn py_counts(_m: P, _args: *mut P, nargs: ffi::Py_ssize_t) -> P {
        if nargs != 0 {
            raise_str(ffi::PyExc_TypeError, "_rustify_call_counts() takes no arguments");
            return null_mut();
        }
        unsafe fn value(c: &[u64; 3], old: P) -> P {
            let (mut n0, mut n1) = (c[0], c[1]);
            if !old.is_null() {
                n0 += ffi::PyLong_AsUnsignedLongLong(ffi::PyTuple_GET_ITEM(old, 0));
                n1 += ffi::PyLong_AsUnsignedLongLong(ffi::PyTuple_GET_ITEM(old, 1));
            }
            ffi::Py_BuildValue(c"(KK)".as_ptr(), n0 as std::ffi::c_ulonglong, n1 as std::ffi::c_ulonglong)
        }
        counts_dict(value)
    }

    /// _rustify_typed_reruns(): {qualname: n} of the calls whose typed
    /// code gave up part way (a value of another type, an int past 64
    /// bits) and re-ran on the object body, since import.
    unsafe extern "C" fn py_reruns(_m: P, _args: *mut P, nargs: ffi::Py_ssize_t) -> P {
        if nargs != 0 {
            raise_str(ffi::PyExc_TypeError, "_rustify_typed_reruns() takes no arguments");
            return null_mut();
        }
        unsafe fn value(c: &[u64; 3], old: P) -> P {
            ffi::PyLong_FromUnsignedLongLong(c[2] + if old.is_null() { 0 } else { ffi::PyLong_AsUnsignedLongLong(old) })
        }
        counts_dict(value)
    }

    /// CPython's argument binding (positional, keyword, *args, **kwargs,
    /// defaults). false on anything the original should report.
    unsafe fn bind(f: &NFn, spec: &Spec, args: *const P, nargs: usize, kwnames: P,
                   slots: &mut [P], owned: &mut Keep) -> bool {
        let npos = spec.npos;
        if nargs > npos && !spec.varargs { return false; }
        for i in 0..nargs.min(npos) { slots[i] = *args.add(i); }
        let mut next = npos + spec.nkwonly;
        if spec.varargs {
            let extra = nargs.saturating_sub(npos);
            let t = ffi::PyTuple_New(extra as isize);
            if t.is_null() { ffi::PyErr_Clear(); return false; }
            for i in 0..extra {
                let a = *args.add(npos + i);
                ffi::Py_INCREF(a);
                ffi::PyTuple_SET_ITEM(t, i as isize, a);
            }
            let t = O(NonNull::new_unchecked(t));
            slots[next] = t.p();
            owned.push(t);
            next += 1;
        }
        let mut kwdict: Option<O> = None;
        if spec.varkw {
            let d = ffi::PyDict_New();
            if d.is_null() { ffi::PyErr_Clear(); return false; }
            let d = O(NonNull::new_unchecked(d));
            slots[next] = d.p();
            kwdict = Some(d.clone());
            owned.push(d);
        }
        let nkw = if kwnames.is_null() { 0 } else { ffi::PyTuple_GET_SIZE(kwnames) as usize };
        for j in 0..nkw {
            let k = ffi::PyTuple_GET_ITEM(kwnames, j as isize);
            let v = *args.add(nargs + j);
            // the keyword's text in place (no copy): a keyword that is
            // not a str, or not UTF-8 encodable, matches no parameter
            let mut kn: isize = 0;
            let kp = if ffi::PyUnicode_Check(k) != 0 { ffi::PyUnicode_AsUTF8AndSize(k, &mut kn) } else { null_mut() };
            if kp.is_null() { ffi::PyErr_Clear(); return false; }
            let ks = std::slice::from_raw_parts(kp as *const u8, kn as usize);
            let mut found = None;
            for (i, name) in spec.params.iter().enumerate().take(npos + spec.nkwonly).skip(spec.nposonly) {
                if name.as_bytes() == ks { found = Some(i); break; }
            }
            match found {
                Some(i) => {
                    if !slots[i].is_null() { return false; }
                    slots[i] = v;
                }
                None => match &kwdict {
                    Some(d) => { if ffi::PyDict_SetItem(d.p(), k, v) < 0 { ffi::PyErr_Clear(); return false; } }
                    None => return false,
                },
            }
        }
        if nargs < npos {
            let defs = ffi::PyFunction_GetDefaults(f.func);
            let nd = if defs.is_null() || ffi::PyTuple_Check(defs) == 0 { 0 } else { ffi::PyTuple_GET_SIZE(defs) as usize };
            let first = npos.saturating_sub(nd);
            for i in nargs..npos {
                if slots[i].is_null() {
                    if i < first { return false; }
                    // borrowed from __defaults__: no Python code runs
                    // before the body's prologue takes its own references
                    slots[i] = ffi::PyTuple_GET_ITEM(defs, (i - first) as isize);
                }
            }
        }
        if spec.nkwonly > 0 {
            let kd = ffi::PyFunction_GetKwDefaults(f.func);
            for i in npos..npos + spec.nkwonly {
                if !slots[i].is_null() { continue; }
                if kd.is_null() || ffi::PyDict_Check(kd) == 0 { return false; }
                let Some(name) = kwonly_name(f, spec, i - npos) else { return false };
                let d = ffi::PyDict_GetItemWithError(kd, name);
                if d.is_null() { ffi::PyErr_Clear(); return false; }
                owned.push(O::borrow(d));
                slots[i] = d;
            }
        }
        true
    }

    /// The name of keyword-only parameter j, interned (as the code's
    /// own names are, which CPython looks __kwdefaults__ up by).
    unsafe fn kwonly_name(f: &NFn, spec: &Spec, j: usize) -> Option<P> {
        let mut t = f.kwo.get();
        if t.is_null() {
            t = ffi::PyTuple_New(spec.nkwonly as isize);
            if t.is_null() { ffi::PyErr_Clear(); return None; }
            for k in 0..spec.nkwonly {
                let s = spec.params[spec.npos + k];
                let mut u = ffi::PyUnicode_FromStringAndSize(s.as_ptr() as *const c_char, s.len() as isize);
                if u.is_null() { ffi::PyErr_Clear(); ffi::Py_DECREF(t); return None; }
                ffi::PyUnicode_InternInPlace(&mut u);
                ffi::PyTuple_SET_ITEM(t, k as isize, u);
            }
            f.kwo.set(t);
        }
        Some(ffi::PyTuple_GET_ITEM(t, j as isize))
    }

    /// The references a bound call keeps until it returns (its *args
    /// tuple, **kwargs dict, keyword-only defaults): up to eight without
    /// a heap allocation.
    struct Keep { a: [P; 8], n: usize, more: Vec<O> }
    impl Keep {
        fn new() -> Keep { Keep { a: [null_mut(); 8], n: 0, more: Vec::new() } }
        fn push(&mut self, o: O) {
            if self.n < self.a.len() {
                self.a[self.n] = o.into_raw();
                self.n += 1;
            } else {
                self.more.push(o);
            }
        }
    }
    impl Drop for Keep {
        fn drop(&mut self) {
            for &p in &self.a[..self.n] { unsafe { ffi::Py_DECREF(p) } }
        }
    }

    /// The code objects a native function creates (its lambdas, defs,
    /// generator expressions, classes, and its comprehensions'), in the
    /// order compiled: its own constants, and those of the comprehensions
    /// it runs inline, but not those of the code it makes (a lambda's own
    /// lambdas belong to that lambda).
    unsafe fn collect_codes(code: P, out: &mut Vec<P>) {
        let consts = ffi::PyObject_GetAttrString(code, c"co_consts".as_ptr());
        if consts.is_null() { ffi::PyErr_Clear(); return; }
        for i in 0..ffi::PyTuple_GET_SIZE(consts) {
            let c = ffi::PyTuple_GET_ITEM(consts, i);
            if ffi::PyCode_Check(c) != 0 {
                out.push(c);
                let name = attr_str(c, c"co_name");
                if matches!(name.as_deref(), Some("<listcomp>") | Some("<setcomp>") | Some("<dictcomp>")) {
                    collect_codes(c, out);
                }
            }
        }
        ffi::Py_DECREF(consts);
    }

    unsafe fn attr_str(o: P, name: &CStr) -> Option<String> {
        let v = ffi::PyObject_GetAttrString(o, name.as_ptr());
        if v.is_null() { ffi::PyErr_Clear(); return None; }
        let s = if ffi::PyUnicode_Check(v) != 0 { Some(str_of(v)) } else { None };
        ffi::Py_DECREF(v);
        s
    }

    unsafe fn attr_int(o: P, name: &CStr) -> i64 {
        let v = ffi::PyObject_GetAttrString(o, name.as_ptr());
        if v.is_null() { ffi::PyErr_Clear(); return -1; }
        let n = ffi::PyLong_AsLongLong(v);
        ffi::Py_DECREF(v);
        if n == -1 { ffi::PyErr_Clear(); }
        n
    }

    unsafe fn names_tuple(o: P, name: &CStr) -> Vec<String> {
        let v = ffi::PyObject_GetAttrString(o, name.as_ptr());
        if v.is_null() { ffi::PyErr_Clear(); return vec![]; }
        let mut out = vec![];
        if ffi::PyTuple_Check(v) != 0 {
            for i in 0..ffi::PyTuple_GET_SIZE(v) { out.push(str_of(ffi::PyTuple_GET_ITEM(v, i))); }
        }
        ffi::Py_DECREF(v);
        out
    }

    /// The native function for func, or None when func is not the
    /// function this spec was translated from (other parameters, other
    /// closure, other nested code).
    unsafe fn wrap(spec: &'static Spec, func: P, typed: P) -> R<Option<O>> {
        if ffi::PyFunction_Check(func) == 0 { return Ok(None); }
        let code = ffi::PyFunction_GetCode(func);
        let flags = attr_int(code, c"co_flags");
        let (varargs, varkw) = (flags & 0x04 != 0, flags & 0x08 != 0);
        if flags & (0x20 | 0x80 | 0x100 | 0x200) != 0 { return Ok(None); }
        if attr_int(code, c"co_argcount") != spec.npos as i64
            || attr_int(code, c"co_posonlyargcount") != spec.nposonly as i64
            || attr_int(code, c"co_kwonlyargcount") != spec.nkwonly as i64
            || varargs != spec.varargs || varkw != spec.varkw {
            return Ok(None);
        }
        let names = names_tuple(code, c"co_varnames");
        if names.len() < spec.params.len() { return Ok(None); }
        for (i, p) in spec.params.iter().enumerate() {
            if names[i] != *p { return Ok(None); }
        }
        let free = names_tuple(code, c"co_freevars");
        if free.len() != spec.freevars.len() || free.iter().zip(spec.freevars).any(|(a, b)| a != b) {
            return Ok(None);
        }
        let mut codes = vec![];
        collect_codes(code, &mut codes);
        let nested = O::own(ffi::PyTuple_New(spec.nested.len() as isize))?;
        for (i, &(name, lo, hi, ordinal, fv, parent, maybe_dead)) in spec.nested.iter().enumerate() {
            let mut seen = 0;
            let mut hit: P = null_mut();
            // inside an inlined generator expression: among its codes
            let mut inner = vec![];
            if parent >= 0 {
                collect_codes(ffi::PyTuple_GET_ITEM(nested.p(), parent as isize), &mut inner);
            }
            for &c in if parent >= 0 { &inner } else { &codes } {
                let l = attr_int(c, c"co_firstlineno");
                if attr_str(c, c"co_name").as_deref() == Some(name) && l >= lo as i64 && l <= hi as i64 {
                    if seen == ordinal { hit = c; break; }
                    seen += 1;
                }
            }
            if hit.is_null() && maybe_dead {
                // code CPython's compiler dropped as unreachable (its
                // constant goes with its MAKE_FUNCTION): it never runs
                ffi::Py_INCREF(ffi::Py_None());
                ffi::PyTuple_SET_ITEM(nested.p(), i as isize, ffi::Py_None());
                continue;
            }
            if hit.is_null() { return Ok(None); }
            let cf = names_tuple(hit, c"co_freevars");
            let tb_only = fv.len() == 1 && fv[0] == "*";
            if !tb_only && (cf.len() != fv.len() || cf.iter().zip(fv.iter()).any(|(a, b)| a != b)) { return Ok(None); }
            ffi::Py_INCREF(hit);
            ffi::PyTuple_SET_ITEM(nested.p(), i as isize, hit);
        }
        let globals = ffi::PyFunction_GetGlobals(func);
        let mut builtins = ffi::PyDict_GetItemWithError(globals, S_BUILTINS);
        if builtins.is_null() {
            if !ffi::PyErr_Occurred().is_null() { return Err(X); }
            builtins = ffi::PyEval_GetBuiltins();
        } else if ffi::PyModule_Check(builtins) != 0 {
            builtins = ffi::PyModule_GetDict(builtins);
        }
        let mut guards: *mut GuardSet = null_mut();
        // a typed function with an object body: that body alone when the
        // typed code's globals already differ, else kept beside it
        let alt = if !typed.is_null() && spec.f.is_some() {
            Some(nfn_new(spec, func, builtins, code, nested.p(), null_mut(), null_mut())?)
        } else {
            None
        };
        if !typed.is_null() {
            let g = if ffi::PyDict_CheckExact(builtins) == 0 { None } else { guards_new(spec, globals, builtins) };
            match g {
                Some(g) => guards = Box::into_raw(g),
                None => return Ok(alt),
            }
        }
        let n = nfn_new(spec, func, builtins, code, nested.p(), typed, guards)?;
        if let Some(a) = alt { (*(n.p() as *mut NFn)).alt = a.into_raw(); }
        Ok(Some(n))
    }

    /// A native_function object (func's globals and closure; the other
    /// references borrowed, taken here; guards owned).
    unsafe fn nfn_new(spec: &'static Spec, func: P, builtins: P, code: P, nested: P, typed: P,
                      guards: *mut GuardSet) -> R<O> {
        // PyType_GenericAlloc zeroes and tracks the object.
        let o = ffi::PyType_GenericAlloc(NFN_TYPE, 0) as *mut NFn;
        if o.is_null() {
            if !guards.is_null() { drop(Box::from_raw(guards)); }
            return Err(X);
        }
        let n = &mut *o;
        n.vectorcall = Some(nfn_vectorcall);
        ffi::Py_INCREF(func);
        n.func = func;
        n.globals = ffi::PyFunction_GetGlobals(func);
        ffi::Py_INCREF(builtins);
        n.builtins = builtins;
        n.closure = ffi::PyFunction_GetClosure(func);
        ffi::Py_INCREF(code);
        n.code = code;
        ffi::Py_INCREF(nested);
        n.nested = nested;
        n.frame = std::cell::Cell::new(null_mut());
        n.tbcache = std::cell::Cell::new(null_mut());
        n.kwo = std::cell::Cell::new(null_mut());
        n.lasti = Default::default();
        if !typed.is_null() { ffi::Py_INCREF(typed); }
        n.typed = typed;
        n.weaklist = null_mut();
        n.spec = spec;
        n.guards = guards;
        n.alt = null_mut();
        n.tcalls = std::cell::Cell::new(0);
        n.tredo = std::cell::Cell::new(0);
        n.tskip = std::cell::Cell::new(0);
        n.body = spec.f;
        n.fast = if typed.is_null() && spec.f.is_some() && !spec.varargs && !spec.varkw && spec.nkwonly == 0 {
            spec.npos as isize
        } else {
            -1
        };
        Ok(O(NonNull::new_unchecked(o as P)))
    }

    /// Per def site of a function the enclosing one only calls: the code
    /// and globals it was last checked for (wrap), with what the native
    /// function needs besides the function object.
    pub struct NC { code: P, globals: P, builtins: P, nested: P }
    impl NC { pub const NEW: NC = NC { code: null_mut(), globals: null_mut(), builtins: null_mut(), nested: null_mut() }; }

    /// The native version of a function object a def just made (oemit
    /// ex_func): checked once per code object, then only allocated. The
    /// function itself when it is not the one the spec was made from.
    pub unsafe fn native_def(spec: &'static Spec, f: O, c: *mut NC) -> R<O> {
        let c = &mut *c;
        let code = ffi::PyFunction_GetCode(f.p());
        let globals = ffi::PyFunction_GetGlobals(f.p());
        if c.code == code && c.globals == globals {
            return nfn_new(spec, f.p(), c.builtins, code, c.nested, null_mut(), null_mut());
        }
        let n = match wrap(spec, f.p(), null_mut())? { Some(n) => n, None => return Ok(f) };
        let nf = &*(n.p() as *const NFn);
        for p in [c.code, c.globals, c.builtins, c.nested] { ffi::Py_XDECREF(p); }
        for p in [code, globals, nf.builtins, nf.nested] { ffi::Py_INCREF(p); }
        c.code = code;
        c.globals = globals;
        c.builtins = nf.builtins;
        c.nested = nf.nested;
        Ok(n)
    }

    static mut SPECS: &[&Spec] = &[];
    static mut TYPED: Vec<(&'static str, P)> = Vec::new();

    /// _rustify_wrap(qualname, func, line=-1): the native function for
    /// func, or None.
    unsafe extern "C" fn py_wrap(m: P, args: *mut P, nargs: ffi::Py_ssize_t) -> P {
        if nargs < 2 {
            raise_str(ffi::PyExc_TypeError, "_rustify_wrap(qualname, func[, line])");
            return null_mut();
        }
        let q = *args;
        let func = *args.add(1);
        if ffi::PyUnicode_Check(q) == 0 { raise_str(ffi::PyExc_TypeError, "qualname: str"); return null_mut(); }
        let q = str_of(q);
        let line = if ffi::PyFunction_Check(func) != 0 { attr_int(ffi::PyFunction_GetCode(func), c"co_firstlineno") } else { -1 };
        let specs: &[&Spec] = *std::ptr::addr_of!(SPECS);
        for &s in specs.iter() {
            if s.qualname != q || s.line as i64 != line { continue; }
            let mut typed = null_mut();
            if let Some(t) = s.typed {
                for &(name, p) in (*std::ptr::addr_of!(TYPED)).iter() { if name == t { typed = p; } }
                if typed.is_null() { continue; }
            }
            if !typed.is_null() {
                // The typed entry falls back to _orig_<name> of the module.
                let c = std::ffi::CString::new(format!("_orig_{}", q)).unwrap();
                if ffi::PyObject_SetAttrString(m, c.as_ptr(), func) < 0 { return null_mut(); }
            }
            return match wrap(s, func, typed) {
                Ok(Some(w)) => w.into_raw(),
                Ok(None) => O::borrow(ffi::Py_None()).into_raw(),
                Err(_) => null_mut(),
            };
        }
        O::borrow(ffi::Py_None()).into_raw()
    }

    /// Module init: the spec table, the typed entries (name, function
    /// object) and _rustify_wrap.
    pub unsafe fn register(m: P, specs: &'static [&'static Spec], typed: &[&'static str]) -> R<()> {
        init_runtime()?;
        SPECS = specs;
        for &t in typed {
            let c = std::ffi::CString::new(t).unwrap();
            let f = ffi::PyObject_GetAttrString(m, c.as_ptr());
            if f.is_null() { return Err(X); }
            (*std::ptr::addr_of_mut!(TYPED)).push((t, f));
        }
        static mut DEF: ffi::PyMethodDef = ffi::PyMethodDef::zeroed();
        DEF = ffi::PyMethodDef {
            ml_name: c"_rustify_wrap".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunctionFast: py_wrap },
            ml_flags: ffi::METH_FASTCALL,
            ml_doc: null_mut(),
        };
        let f = O::own(ffi::PyCFunction_NewEx(std::ptr::addr_of_mut!(DEF), m, null_mut()))?;
        if ffi::PyObject_SetAttrString(m, c"_rustify_wrap".as_ptr(), f.p()) < 0 { return Err(X); }
        static mut CDEF: ffi::PyMethodDef = ffi::PyMethodDef::zeroed();
        CDEF = ffi::PyMethodDef {
            ml_name: c"_rustify_call_counts".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunctionFast: py_counts },
            ml_flags: ffi::METH_FASTCALL,
            ml_doc: null_mut(),
        };
        let f = O::own(ffi::PyCFunction_NewEx(std::ptr::addr_of_mut!(CDEF), m, null_mut()))?;
        if ffi::PyObject_SetAttrString(m, c"_rustify_call_counts".as_ptr(), f.p()) < 0 { return Err(X); }
        static mut RDEF: ffi::PyMethodDef = ffi::PyMethodDef::zeroed();
        RDEF = ffi::PyMethodDef {
            ml_name: c"_rustify_typed_reruns".as_ptr(),
            ml_meth: ffi::PyMethodDefPointer { PyCFunctionFast: py_reruns },
            ml_flags: ffi::METH_FASTCALL,
            ml_doc: null_mut(),
        };
        let f = O::own(ffi::PyCFunction_NewEx(std::ptr::addr_of_mut!(RDEF), m, null_mut()))?;
        if ffi::PyObject_SetAttrString(m, c"_rustify_typed_reruns".as_ptr(), f.p()) < 0 { return Err(X); }
        let ty = NFN_TYPE as P;
        if ffi::PyObject_SetAttrString(m, c"native_function".as_ptr(), ty) < 0 { return Err(X); }
        // which layout-dependent fast paths passed their self-tests
        let fast = O::own(ffi::Py_BuildValue(c"{s:O,s:O,s:O,s:O}".as_ptr(),
            c"dict_versions".as_ptr(), if DICT_VERSIONS { ffi::Py_True() } else { ffi::Py_False() },
            c"inline_attributes".as_ptr(), if ATTR_FAST { ffi::Py_True() } else { ffi::Py_False() },
            c"recursion_inline".as_ptr(), if REC_MODE == 2 { ffi::Py_True() } else { ffi::Py_False() },
            c"global_entries".as_ptr(), if DICT_ENTRIES { ffi::Py_True() } else { ffi::Py_False() }))?;
        if ffi::PyObject_SetAttrString(m, c"_rustify_fast_paths".as_ptr(), fast.p()) < 0 { return Err(X); }
        Ok(())
    }

    #[inline]
    pub unsafe fn arg(a: *const P, i: usize) -> O { O::borrow(*a.add(i)) }

    /// A loop's back edge: pending signals (Ctrl-C) are checked every
    /// 2**14 iterations, as the interpreter checks between bytecodes.
    static mut TICKS: u32 = 0;
    #[inline(always)]
    pub unsafe fn tick() -> R<()> {
        TICKS = TICKS.wrapping_add(1);
        if TICKS & 0x3fff == 0 && ffi::PyErr_CheckSignals() < 0 { return Err(X); }
        Ok(())
    }
    /// The back edge of a loop holding attributes in registers (below):
    /// true when the signals are due, checked by tick_check once the
    /// registers are written back.
    #[inline(always)]
    pub unsafe fn tick_due() -> bool {
        TICKS = TICKS.wrapping_add(1);
        TICKS & 0x3fff == 0
    }
    #[inline]
    pub unsafe fn tick_check() -> R<()> {
        if ffi::PyErr_CheckSignals() < 0 { return Err(X); }
        Ok(())
    }

    // ---- float attributes held in registers across a loop ----
    // A for loop over a range whose body is arithmetic on numbers in
    // locals and on float attributes of one local object (self.x +=
    // self.vx * dt; oemit.c hoist_plan) runs no Python code: every
    // operand is an exact int or float, checked when the loop starts
    // (hoist_slot, hg_o, hg_v). There it keeps those attributes in f64
    // registers and writes the stored ones back (hoist_put) when it ends,
    // raises, or stops for the signals; nothing can read the attribute
    // in between. Otherwise the loop runs as written.

    /// The loop's iterator counts without running Python code.
    #[inline]
    pub fn it_counts(it: &It) -> bool { matches!(it, It::Range(..)) }

    /// Where o.name is held (an inline value or a __slots__ member) when
    /// the type's version leaves it to the instance (as getattr_cb), it
    /// is an exact float and stores go to the same place; None otherwise.
    /// The cache is filled without running Python code.
    pub unsafe fn hoist_slot(o: P, name: P, c: *mut AC) -> Option<*mut P> {
        if !ATTR_FAST { return None; }
        let c = &mut *c;
        let tp = ffi::Py_TYPE(o);
        let e = match c.find(tp) {
            Some(e) => e,
            None => {
                hoist_fill(o, name, c)?;
                c.find(tp)?
            }
        };
        let s = if e.off > 0 {
            (o as *mut u8).offset(e.off) as *mut P
        } else {
            let vals = inline_values(o);
            if vals.is_null() || e.ix < 0 { return None; }
            vals.offset(e.ix)
        };
        let v = *s;
        if v.is_null() || ffi::PyFloat_CheckExact(v) == 0 { return None; }
        Some(s)
    }

    #[cold]
    unsafe fn hoist_fill(o: P, name: P, c: &mut AC) -> Option<()> {
        let tp = ffi::Py_TYPE(o);
        if (*tp).tp_setattro.map(|f| f as usize) != Some(ffi::PyObject_GenericSetAttr as ffi::setattrofunc as usize) {
            return None;
        }
        let d = _PyType_Lookup(tp, name);
        let value = if !d.is_null() {
            if ffi::Py_TYPE(d) != std::ptr::addr_of_mut!(ffi::PyMemberDescr_Type) { return None; }
            let m = (*(d as *mut ffi::PyMemberDescrObject)).d_member;
            if (*m).offset <= 0 { return None; }
            *((o as *mut u8).offset((*m).offset) as *mut P)
        } else {
            if (*tp).tp_flags & MANAGED_DICT == 0 { return None; }
            let vals = inline_values(o);
            let ix = shared_key_index((*(tp as *mut ffi::PyHeapTypeObject)).ht_cached_keys, name);
            if vals.is_null() || ix < 0 { return None; }
            *vals.offset(ix)
        };
        if value.is_null() { return None; }
        attr_fill(o, name, value, c, false);
        Some(())
    }

    /// The float in a slot hoist_slot found.
    #[inline(always)]
    pub unsafe fn slot_f(s: *mut P) -> f64 { ffi::PyFloat_AS_DOUBLE(*s) }

    /// The register stored back: the float the slot holds takes the value
    /// when nothing else holds it (setattr_v), else a new float.
    #[inline]
    pub unsafe fn hoist_put(s: *mut P, f: f64) -> R<()> {
        let old = *s;
        if ffi::Py_REFCNT(old) == 1 && ffi::PyFloat_CheckExact(old) != 0 {
            (*(old as *mut ffi::PyFloatObject)).ob_fval = f;
            return Ok(());
        }
        *s = float_obj(f)?.into_raw();
        ffi::Py_DECREF(old);
        Ok(())
    }

    /// A local the loop reads before it assigns it: bound to an exact
    /// float (or, unless float, an exact int).
    #[inline]
    pub unsafe fn hg_o(v: &Option<O>, float: bool) -> bool {
        match v { Some(o) => exact_num(o.p(), float), None => false }
    }
    #[inline]
    pub unsafe fn hg_v(v: &Option<V>, float: bool) -> bool {
        match v {
            Some(V::F(_)) => true,
            Some(V::I(_)) => !float,
            Some(V::O(o)) => exact_num(o.p(), float),
            None => false,
        }
    }
    #[inline(always)]
    unsafe fn exact_num(p: P, float: bool) -> bool {
        ffi::PyFloat_CheckExact(p) != 0 || (!float && ffi::PyLong_CheckExact(p) != 0)
    }

    static mut MATH_SQRT: P = null_mut();

    /// The loop's `M.sqrt` (M a global name, hoist_plan) is math's own
    /// sqrt: M found in the module's globals or the builtins and a module
    /// whose dict holds that function. Dict look-ups by str only: no
    /// Python code runs, and nothing in the loop can rebind either.
    pub unsafe fn hoist_math_sqrt(cx: &NFn, m: P, f: P) -> bool {
        if MATH_SQRT.is_null() || ffi::PyDict_CheckExact(cx.globals) == 0 { return false; }
        let mut v = ffi::PyDict_GetItemWithError(cx.globals, m);
        if v.is_null() && ffi::PyErr_Occurred().is_null() && ffi::PyDict_CheckExact(cx.builtins) != 0 {
            v = ffi::PyDict_GetItemWithError(cx.builtins, m);
        }
        if v.is_null() || ffi::PyModule_CheckExact(v) == 0 {
            ffi::PyErr_Clear();
            return false;
        }
        let d = ffi::PyModule_GetDict(v);
        let s = if d.is_null() { null_mut() } else { ffi::PyDict_GetItemWithError(d, f) };
        ffi::PyErr_Clear();
        s == MATH_SQRT
    }

    /// math.sqrt of a number (the guard above holds): a float that is
    /// not negative here, anything else (an int, a negative float and
    /// its ValueError) by math.sqrt itself.
    #[inline(always)]
    pub unsafe fn vsqrt(v: V) -> R<V> {
        if let Some(f) = v_float(&v) {
            if !(f < 0.0) { return Ok(V::F(f.sqrt())); }
        }
        let o = vbox(v)?;
        Ok(V::O(O::own(ffi::PyObject_CallOneArg(MATH_SQRT, o.p()))?))
    }

    /// M.sqrt(x) after M.sqrt was looked up (method_c): math's own sqrt
    /// of a float or of an operation's unboxed result computed here, as
    /// vsqrt; any other callable (math rebound, sqrt patched) is called.
    #[inline(always)]
    pub unsafe fn msqrt(m: (O, Option<O>), x: V) -> R<V> {
        if m.1.is_none() && m.0.p() == MATH_SQRT { return vsqrt(x); }
        let o = vbox(x)?;
        Ok(V::O(call_method_x(m, [None, None, Some(o)], [null_mut(); 3], null_mut())?))
    }

    /// sqrt(x) of a global name sqrt (from math import sqrt): as msqrt
    /// when the name holds math's own sqrt, else the call.
    #[inline(always)]
    pub unsafe fn fsqrt(f: O, x: V) -> R<V> {
        if f.p() == MATH_SQRT { return vsqrt(x); }
        let o = vbox(x)?;
        Ok(V::O(call_x(f, [None, Some(o)], [null_mut(); 2], null_mut())?))
    }

    /// A float-typed result (hoist_plan's typing) as its f64.
    #[inline(always)]
    pub unsafe fn vf(v: V) -> f64 {
        match v {
            V::F(f) => f,
            V::O(o) => { debug_assert!(ffi::PyFloat_CheckExact(o.p()) != 0); ffi::PyFloat_AS_DOUBLE(o.p()) }
            V::I(i) => i as f64,
        }
    }
}
