// The transformation worker evaluates this once in every fresh V8 isolate, before any user code.
//
// It leaves the isolate a plain ECMAScript realm (no timers, no WebAssembly, no
// FinalizationRegistry, no Atomics.wait: nothing that runs code between two runs or blocks the
// thread), replaces `console` with a capturing one, and returns the runtime object the worker
// drives: check, define, run, collect, restore. That object is bound to a global lexical name
// chosen at random per isolate (the worker substitutes __DT_RUNTIME__), so user code cannot
// find it: lexical globals are not properties of globalThis, and every function here is strict,
// so no stack frame or `caller` hands one out.
//
// Isolation between runs. At start-up the prelude walks every object reachable from globalThis
// and from the intrinsics only syntax reaches (generator, iterator, async prototypes...).
// Built-in functions that carry nothing but `length` and `name` are frozen (nobody adds
// properties to `Array.prototype.map` itself); every other object (prototypes, constructors,
// namespaces, globalThis: about 140) is recorded: prototype, extensibility, and each property's
// descriptor. The worker posts `restore` right behind every run. Its quick path checks, per
// recorded object, the prototype, the counts of enumerable keys and of symbol keys, a plain read
// of every data property (through a function generated for that object, so V8 caches each
// read), and the descriptors of accessors and symbol-keyed properties: about 60 us. That path is
// sound because only a handful of built-ins can change attributes, install getters or add
// non-enumerable properties (Object.defineProperty and friends, __defineGetter__,
// Error.captureStackTrace); each is replaced by a callable Proxy of itself that notes when it
// touches a recorded object, and then `restore` compares every descriptor and repairs: added
// keys deleted, changed properties redefined, a prototype set back. What cannot be undone (a
// property made non-configurable, an object made non-extensible) makes it answer "dirty", and
// the worker replaces the isolate.
//
// Everything here calls only functions captured before user code ran, never through a
// prototype user code could have changed: our own tables are null-prototype objects, loops are
// plain index loops, no spread, no for-of, no iterators.
const __DT_RUNTIME__ = (function (limits) {
  "use strict";

  // ---- primordials -------------------------------------------------------------------------
  const G = globalThis;
  const apply = Reflect.apply;
  const defineProperty = Reflect.defineProperty;
  const deleteProperty = Reflect.deleteProperty;
  const gopd = Reflect.getOwnPropertyDescriptor;
  const getPrototypeOf = Reflect.getPrototypeOf;
  const setPrototypeOf = Reflect.setPrototypeOf;
  const isExtensible = Reflect.isExtensible;
  const ownKeys = Reflect.ownKeys;
  const create = Object.create;
  const freeze = Object.freeze;
  const isFrozen = Object.isFrozen;
  const objectKeys = Object.keys;
  const getOwnPropertySymbols = Object.getOwnPropertySymbols;
  const ProxyConstructor = Proxy;
  const WeakSetConstructor = WeakSet;
  const weakSetHas = WeakSet.prototype.has;
  const weakSetAdd = WeakSet.prototype.add;
  const objectIs = Object.is;
  const jsonParse = JSON.parse;
  const jsonStringify = JSON.stringify;
  const FunctionConstructor = Function;
  const StringConstructor = String;
  const ErrorConstructor = Error;
  const isError = typeof ErrorConstructor.isError === "function" ? ErrorConstructor.isError : null;
  const objectToString = Object.prototype.toString;
  const errorToString = Error.prototype.toString;
  const functionToString = Function.prototype.toString;
  const dateGetTime = Date.prototype.getTime;
  const dateToISOString = Date.prototype.toISOString;
  const regexpExec = RegExp.prototype.exec;
  const regexpSource = gopd(RegExp.prototype, "source").get;
  const regexpFlags = gopd(RegExp.prototype, "flags").get;
  const regexpGlobal = gopd(RegExp.prototype, "global").get;
  const stringSlice = String.prototype.slice;
  const stringIndexOf = String.prototype.indexOf;
  const stringCharCodeAt = String.prototype.charCodeAt;
  const numberParseInt = Number.parseInt;
  const numberParseFloat = Number.parseFloat;
  const NumberConstructor = Number;
  const dateNow = Date.now;
  const emptyRegExp = /(?:)/;

  const maxConsoleChars = limits.consoleChars;
  const maxOutputChars = limits.outputChars;
  // Deeper output is not sent across (the host's JSON parser recurses); its depth is.
  const maxOutputDepth = 512;
  const maxExtraKeys = 1000;

  // ---- a plain ECMAScript realm ------------------------------------------------------------
  // mini-racer declares these with `var`, so they cannot be deleted; they become undefined.
  const hostVars = ["setTimeout", "clearTimeout", "__timer_manager"];
  for (let i = 0; i < hostVars.length; i++) {
    if (gopd(G, hostVars[i]) !== undefined) G[hostVars[i]] = undefined;
  }
  // Code that could run between two runs (timers, finalizers, wasm compilation), code that
  // blocks the thread, and a proposal Node does not ship either.
  deleteProperty(G, "WebAssembly");
  deleteProperty(G, "FinalizationRegistry");
  deleteProperty(G, "Temporal");
  deleteProperty(Atomics, "wait");
  deleteProperty(Atomics, "waitAsync");

  // ---- per-run state -----------------------------------------------------------------------
  let factories = create(null); // id -> function () { return function (payload, headers) {...} }
  let lines = create(null); // level, text, level, text...
  let lineCount = 0;
  let consoleUsed = 0;
  let consoleTruncated = false;
  let consoleDropped = 0;
  let groupIndent = "";
  let counters = create(null);
  let timers = create(null);

  function resetRun() {
    lines = create(null);
    lineCount = 0;
    consoleUsed = 0;
    consoleTruncated = false;
    consoleDropped = 0;
    groupIndent = "";
    counters = create(null);
    timers = create(null);
    apply(regexpExec, emptyRegExp, [""]); // RegExp.lastMatch, $1... must not carry a payload over
  }

  // ---- console -----------------------------------------------------------------------------
  function emit(level, text) {
    if (consoleTruncated) {
      consoleDropped++;
      return;
    }
    if (groupIndent !== "") text = groupIndent + text;
    const room = maxConsoleChars - consoleUsed;
    if (text.length > room) {
      text = apply(stringSlice, text, [0, room < 0 ? 0 : room]);
      consoleTruncated = true;
    }
    consoleUsed += text.length;
    lines[lineCount * 2] = level;
    lines[lineCount * 2 + 1] = text;
    lineCount++;
  }

  function consoleJSON() {
    let out = "[";
    for (let i = 0; i < lineCount; i++) {
      if (i > 0) out += ",";
      out += "[" + jsonStringify(lines[i * 2]) + "," + jsonStringify(lines[i * 2 + 1]) + "]";
    }
    if (consoleTruncated) {
      const note =
        "[console output truncated at " + maxConsoleChars + " characters; " +
        consoleDropped + " more call(s) not captured]";
      out += (lineCount > 0 ? "," : "") + '["warn",' + jsonStringify(note) + "]";
    }
    return out + "]";
  }

  function functionName(fn) {
    const d = gopd(fn, "name");
    return d !== undefined && typeof d.value === "string" ? d.value : "";
  }

  function describeFunction(fn) {
    const name = functionName(fn);
    let source = "";
    try {
      source = apply(functionToString, fn, []);
    } catch (e) {
      source = "";
    }
    if (apply(stringSlice, source, [0, 6]) === "class ") {
      return name === "" ? "[class (anonymous)]" : "[class " + name + "]";
    }
    return name === "" ? "[Function (anonymous)]" : "[Function: " + name + "]";
  }

  function userStack(stack) {
    // The frames of the user's code, without the runner's frames below them.
    let out = "";
    let start = 0;
    while (start <= stack.length) {
      let end = apply(stringIndexOf, stack, ["\n", start]);
      if (end < 0) end = stack.length;
      const line = apply(stringSlice, stack, [start, end]);
      const isFrame = apply(stringSlice, line, [0, 7]) === "    at ";
      if (!isFrame || apply(stringIndexOf, line, ["transformation.js:"]) >= 0) {
        out += (out === "" ? "" : "\n") + line;
      }
      start = end + 1;
    }
    return out;
  }

  function describeError(error) {
    // Its stack, as Node prints an Error, without the frames below the user's code.
    try {
      const stack = error.stack;
      if (typeof stack === "string") return userStack(stack);
    } catch (e) {
      // fall through to the plain description
    }
    try {
      return apply(errorToString, error, []);
    } catch (e) {
      return apply(objectToString, error, []);
    }
  }

  function looksLikeError(value) {
    if (isError !== null) return isError(value);
    try {
      return value instanceof ErrorConstructor;
    } catch (e) {
      return false;
    }
  }

  function jsonish(value) {
    // JSON.stringify, with circular references, BigInts, functions and symbols made printable.
    const ancestors = create(null);
    let depth = 0;
    function replacer(key, v) {
      while (depth > 0 && ancestors[depth - 1] !== this) depth--;
      switch (typeof v) {
        case "bigint":
          return "" + v + "n";
        case "function":
          return describeFunction(v);
        case "symbol":
          return StringConstructor(v);
        case "object":
          if (v === null) return v;
          for (let i = 0; i < depth; i++) if (ancestors[i] === v) return "[Circular]";
          if (looksLikeError(v)) return describeError(v);
          ancestors[depth++] = v;
          return v;
        default:
          return v;
      }
    }
    try {
      const text = jsonStringify(value, replacer);
      return text === undefined ? "undefined" : text;
    } catch (e) {
      return apply(objectToString, value, []);
    }
  }

  function inspect(value) {
    switch (typeof value) {
      case "string":
        return value;
      case "number":
        return objectIs(value, -0) ? "-0" : "" + value;
      case "bigint":
        return "" + value + "n";
      case "boolean":
        return value ? "true" : "false";
      case "undefined":
        return "undefined";
      case "symbol":
        return StringConstructor(value);
      case "function":
        return describeFunction(value);
      default:
        break;
    }
    if (value === null) return "null";
    if (looksLikeError(value)) return describeError(value);
    try {
      const time = apply(dateGetTime, value, []);
      return time === time ? apply(dateToISOString, value, []) : "Invalid Date";
    } catch (e) {
      // not a Date
    }
    try {
      apply(regexpGlobal, value, []);
      return "/" + apply(regexpSource, value, []) + "/" + apply(regexpFlags, value, []);
    } catch (e) {
      // not a RegExp
    }
    return jsonish(value);
  }

  function format(args) {
    // Node's util.format: printf-style directives in a leading string, then the rest.
    const n = args.length;
    if (n === 0) return "";
    let out = "";
    let next = 1;
    const first = args[0];
    if (typeof first === "string" && n > 1 && apply(stringIndexOf, first, ["%"]) >= 0) {
      let i = 0;
      while (i < first.length) {
        const c = first[i];
        if (c !== "%" || i + 1 >= first.length) {
          out += c;
          i++;
          continue;
        }
        const d = first[i + 1];
        if (d === "%") {
          out += "%";
        } else if (next >= n) {
          out += "%" + d;
        } else if (d === "s") {
          const a = args[next++];
          out += typeof a === "string" ? a : inspect(a);
        } else if (d === "d" || d === "i") {
          const a = args[next++];
          if (typeof a === "bigint") out += "" + a + "n";
          else if (typeof a === "symbol") out += "NaN";
          else if (d === "i") out += "" + numberParseInt(StringConstructor(a));
          else out += inspect(NumberConstructor(a));
        } else if (d === "f") {
          const a = args[next++];
          out += typeof a === "symbol" ? "NaN" : "" + numberParseFloat(StringConstructor(a));
        } else if (d === "j") {
          out += jsonish(args[next++]);
        } else if (d === "o" || d === "O") {
          out += inspect(args[next++]);
        } else if (d === "c") {
          next++;
        } else {
          out += "%" + d;
        }
        i += 2;
      }
    } else {
      out = inspect(first);
    }
    for (let i = next; i < n; i++) out += " " + inspect(args[i]);
    return out;
  }

  // Methods, not `function`s: no `prototype`, so the walk below freezes them like built-ins.
  const consoleMethods = {
    log(...args) { emit("log", format(args)); },
    info(...args) { emit("info", format(args)); },
    warn(...args) { emit("warn", format(args)); },
    error(...args) { emit("error", format(args)); },
    debug(...args) { emit("debug", format(args)); },
    trace(...args) { emit("debug", "Trace" + (args.length > 0 ? ": " + format(args) : "")); },
    dir(value) { emit("log", inspect(value)); },
    dirxml(...args) { emit("log", format(args)); },
    table(...args) { emit("log", format(args)); },
    assert(condition, ...args) {
      if (!condition) {
        emit("error", "Assertion failed" + (args.length > 0 ? ": " + format(args) : ""));
      }
    },
    count(label) {
      const name = label === undefined ? "default" : StringConstructor(label);
      const value = (counters[name] === undefined ? 0 : counters[name]) + 1;
      counters[name] = value;
      emit("info", name + ": " + value);
    },
    countReset(label) {
      counters[label === undefined ? "default" : StringConstructor(label)] = 0;
    },
    group(...args) {
      if (args.length > 0) emit("log", format(args));
      groupIndent += "  ";
    },
    groupCollapsed(...args) {
      if (args.length > 0) emit("log", format(args));
      groupIndent += "  ";
    },
    groupEnd() {
      groupIndent = apply(stringSlice, groupIndent, [2]);
    },
    time(label) {
      timers[label === undefined ? "default" : StringConstructor(label)] = dateNow();
    },
    timeLog(label, ...args) {
      const name = label === undefined ? "default" : StringConstructor(label);
      if (timers[name] === undefined) return;
      const extra = args.length > 0 ? " " + format(args) : "";
      emit("log", name + ": " + (dateNow() - timers[name]) + "ms" + extra);
    },
    timeEnd(label) {
      const name = label === undefined ? "default" : StringConstructor(label);
      if (timers[name] === undefined) return;
      emit("log", name + ": " + (dateNow() - timers[name]) + "ms");
      timers[name] = undefined;
    },
  };
  const consoleNames = ownKeys(consoleMethods);
  for (let i = 0; i < consoleNames.length; i++) {
    const name = consoleNames[i];
    defineProperty(G.console, name, {
      value: consoleMethods[name], writable: true, enumerable: true, configurable: true,
    });
  }

  // ---- reflective writes are noticed ------------------------------------------------------------
  // Only these built-ins can change a property's attributes, turn it into an accessor or add a
  // non-enumerable one. Each becomes a callable Proxy of itself (same name and length; only its
  // source text reads differently) that notes when its target is a recorded object, so that
  // `restore` then compares everything instead of taking its quick path.
  const tracked = new WeakSetConstructor();
  let reflected = false;

  function notice(target) {
    if (
      !reflected &&
      target !== null &&
      (typeof target === "object" || typeof target === "function") &&
      apply(weakSetHas, tracked, [target])
    ) {
      reflected = true;
    }
  }

  const watched = [
    [Object, "defineProperty", 0],
    [Object, "defineProperties", 0],
    [Reflect, "defineProperty", 0],
    [ErrorConstructor, "captureStackTrace", 0],
    [Object.prototype, "__defineGetter__", -1],
    [Object.prototype, "__defineSetter__", -1],
  ];
  for (let i = 0; i < watched.length; i++) {
    const holder = watched[i][0];
    const key = watched[i][1];
    const d = gopd(holder, key);
    if (d === undefined || typeof d.value !== "function") continue;
    const handler = create(null);
    handler.apply =
      watched[i][2] < 0
        ? function (target, receiver, args) {
            notice(receiver);
            return apply(target, receiver, args);
          }
        : function (target, receiver, args) {
            notice(args[0]);
            return apply(target, receiver, args);
          };
    d.value = new ProxyConstructor(d.value, handler);
    defineProperty(holder, key, d);
  }

  // ---- the record of the realm --------------------------------------------------------------
  function hiddenIntrinsics() {
    const found = [];
    function add(thunk) {
      try {
        const value = thunk();
        if (value !== null && (typeof value === "object" || typeof value === "function")) {
          found[found.length] = value;
        }
      } catch (e) {
        // not in this V8
      }
    }
    add(() => getPrototypeOf(function* () {}));
    add(() => getPrototypeOf(async function () {}));
    add(() => getPrototypeOf(async function* () {}));
    add(() => getPrototypeOf([][Symbol.iterator]()));
    add(() => getPrototypeOf(new Map().entries()));
    add(() => getPrototypeOf(new Set().values()));
    add(() => getPrototypeOf(""[Symbol.iterator]()));
    add(() => getPrototypeOf(/a/g[Symbol.matchAll]("")));
    add(() => getPrototypeOf([].values().map((x) => x)));
    add(() => getPrototypeOf(Iterator.from({ next() { return { done: true }; } })));
    add(() => getPrototypeOf(new Intl.Segmenter().segment("")));
    add(() => getPrototypeOf(new Intl.Segmenter().segment("")[Symbol.iterator]()));
    add(() => {
      const saved = gopd(ErrorConstructor, "prepareStackTrace");
      ErrorConstructor.prepareStackTrace = (error, frames) => frames[0];
      try {
        return getPrototypeOf(new ErrorConstructor().stack);
      } finally {
        if (saved === undefined) deleteProperty(ErrorConstructor, "prepareStackTrace");
        else defineProperty(ErrorConstructor, "prepareStackTrace", saved);
      }
    });
    // mini-racer's timer class is a global lexical binding: reachable by name, so recorded too.
    add(() => (typeof __TimerManager === "function" ? __TimerManager : null));
    return found;
  }

  function isLeafFunction(o, keys) {
    if (typeof o !== "function") return false;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== "length" && keys[i] !== "name") return false;
    }
    return true;
  }

  const records = []; // filled once, before any user code; only read afterwards
  let objectPrototypeRecord = null;

  function record(o) {
    const keys = ownKeys(o);
    const n = keys.length;
    const keySet = create(null);
    const descriptors = [];
    const mutable = []; // properties that can change at all
    const fast = []; // string-keyed data properties: a change shows in a plain read
    const slow = []; // accessors, symbol keys, shadowed values: compared by descriptor
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const d = gopd(o, k);
      const s = create(null); // what to compare
      const full = create(null); // what to redefine with
      s.accessor = "get" in d;
      if (s.accessor) {
        s.get = d.get;
        s.set = d.set;
        full.get = d.get;
        full.set = d.set;
      } else {
        s.value = d.value;
        s.writable = d.writable;
        full.value = d.value;
        full.writable = d.writable;
      }
      s.enumerable = d.enumerable;
      s.configurable = d.configurable;
      full.enumerable = d.enumerable;
      full.configurable = d.configurable;
      s.full = full;
      descriptors[i] = s;
      keySet[k] = true;
      if (d.configurable || d.writable) {
        mutable[mutable.length] = i;
        if (s.accessor || typeof k === "symbol" || shadowed(o, k, d.value)) {
          slow[slow.length] = i;
        } else {
          fast[fast.length] = i;
        }
      }
    }
    return {
      object: o,
      keys: keys,
      keySet: keySet,
      count: n,
      descriptors: descriptors,
      mutable: mutable,
      fast: fast,
      slow: slow,
      enumerableCount: objectKeys(o).length,
      symbolCount: getOwnPropertySymbols(o).length,
      prototype: getPrototypeOf(o),
      extensible: isExtensible(o),
    };
  }

  function reader(r) {
    // A function made for this one object, so that each read in it sees one shape and V8
    // caches it: `o.map === V[3] && ...` over the record's fast properties.
    let body = '"use strict"; return function (o) { return true';
    for (let j = 0; j < r.fast.length; j++) {
      const key = r.keys[r.fast[j]];
      const read = "o[" + jsonStringify(key) + "]";
      body += r.descriptors[r.fast[j]].value !== r.descriptors[r.fast[j]].value
        ? " && " + read + " !== " + read
        : " && " + read + " === V[" + j + "]";
    }
    body += "; };";
    const expected = [];
    for (let j = 0; j < r.fast.length; j++) expected[j] = r.descriptors[r.fast[j]].value;
    return new FunctionConstructor("V", body)(expected);
  }

  function shadowed(o, key, value) {
    // Whether deleting `key` from `o` could leave its value unchanged to a plain read: the
    // prototype chain has the same value, or a getter, or nothing while the value is undefined.
    let p = getPrototypeOf(o);
    while (p !== null) {
      const d = gopd(p, key);
      if (d !== undefined) return "get" in d || objectIs(d.value, value);
      p = getPrototypeOf(p);
    }
    return value === undefined;
  }

  (function snapshot() {
    const seen = new Set();
    const queue = [G];
    const hidden = hiddenIntrinsics();
    for (let i = 0; i < hidden.length; i++) queue[queue.length] = hidden[i];
    const found = [];
    while (queue.length > 0) {
      const o = queue.pop();
      if (seen.has(o)) continue;
      seen.add(o);
      found[found.length] = o;
      const p = getPrototypeOf(o);
      if (p !== null) queue[queue.length] = p;
      const keys = ownKeys(o);
      for (let i = 0; i < keys.length; i++) {
        const d = gopd(o, keys[i]);
        const values = [d.value, d.get, d.set];
        for (let j = 0; j < 3; j++) {
          const v = values[j];
          if (v !== null && (typeof v === "object" || typeof v === "function")) {
            queue[queue.length] = v;
          }
        }
      }
    }
    for (let i = 0; i < found.length; i++) {
      const o = found[i];
      if (isFrozen(o)) continue;
      if (isLeafFunction(o, ownKeys(o))) {
        freeze(o);
        continue;
      }
      const r = record(o);
      if (o === Object.prototype) objectPrototypeRecord = r;
      records[records.length] = r;
      apply(weakSetAdd, tracked, [o]);
    }
    for (let i = 0; i < records.length; i++) records[i].readsUnchanged = reader(records[i]);
  })();

  // ---- restore -----------------------------------------------------------------------------
  function unchanged(r) {
    const o = r.object;
    const keys = ownKeys(o);
    const n = r.count;
    if (keys.length !== n) return false;
    const expected = r.keys;
    for (let i = 0; i < n; i++) if (keys[i] !== expected[i]) return false;
    const mutable = r.mutable;
    const descriptors = r.descriptors;
    for (let j = 0; j < mutable.length; j++) {
      const i = mutable[j];
      const s = descriptors[i];
      const d = gopd(o, expected[i]);
      if (s.accessor) {
        if (d.get !== s.get || d.set !== s.set) return false;
      } else if (d.value !== s.value) {
        if (!objectIs(d.value, s.value)) return false;
      } else if (d.writable !== s.writable) {
        return false;
      }
      if (d.enumerable !== s.enumerable || d.configurable !== s.configurable) return false;
    }
    return getPrototypeOf(o) === r.prototype && isExtensible(o) === r.extensible;
  }

  function deleteAddedKeys(r) {
    const o = r.object;
    const keys = ownKeys(o);
    if (keys.length > r.count + maxExtraKeys) return false;
    for (let i = 0; i < keys.length; i++) {
      if (r.keySet[keys[i]] !== true && !deleteProperty(o, keys[i])) return false;
    }
    return true;
  }

  function repair(r) {
    const o = r.object;
    if (!deleteAddedKeys(r)) return false;
    if (isExtensible(o) !== r.extensible) return false;
    if (getPrototypeOf(o) !== r.prototype && !setPrototypeOf(o, r.prototype)) return false;
    const keys = r.keys;
    const descriptors = r.descriptors;
    for (let i = 0; i < r.count; i++) {
      if (!defineProperty(o, keys[i], descriptors[i].full)) return false;
    }
    if (unchanged(r)) return true;
    // Same properties, other order (deleted and added again): re-add the configurable ones
    // in their first order.
    for (let i = 0; i < r.count; i++) {
      const s = descriptors[i];
      if (s.configurable) {
        deleteProperty(o, keys[i]);
        defineProperty(o, keys[i], s.full);
      }
    }
    return unchanged(r);
  }

  function sameDescriptor(o, key, s) {
    const d = gopd(o, key);
    if (d === undefined) return false;
    if (s.accessor) {
      if (d.get !== s.get || d.set !== s.set) return false;
    } else if ((d.value !== s.value && !objectIs(d.value, s.value)) || d.writable !== s.writable) {
      return false;
    }
    return d.enumerable === s.enumerable && d.configurable === s.configurable;
  }

  function unchangedSinceRecord() {
    // The quick path, valid while no watched built-in touched a recorded object: no user code
    // can run here (without those built-ins there are no user getters on recorded objects).
    // Prototypes first, so that the plain reads below only walk recorded objects.
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      if (!r.extensible || getPrototypeOf(r.object) !== r.prototype || !isExtensible(r.object)) {
        return false;
      }
    }
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const o = r.object;
      if (objectKeys(o).length !== r.enumerableCount) return false;
      if (getOwnPropertySymbols(o).length !== r.symbolCount) return false;
      if (!r.readsUnchanged(o)) return false;
      const keys = r.keys;
      const descriptors = r.descriptors;
      const slow = r.slow;
      for (let j = 0; j < slow.length; j++) {
        if (!sameDescriptor(o, keys[slow[j]], descriptors[slow[j]])) return false;
      }
    }
    return true;
  }

  let dirty = false;
  let restored = true; // no run since the last restore

  function restore() {
    if (dirty) return "dirty";
    let verdict = "clean";
    try {
      if (reflected || !unchangedSinceRecord()) verdict = repairAll();
    } catch (e) {
      verdict = "dirty";
    }
    if (verdict === "dirty") dirty = true;
    else restored = true;
    return verdict;
  }

  function repairAll() {
    reflected = false;
    let repaired = 0;
    try {
      // First the keys added to Object.prototype: reading a descriptor's absent `get` or
      // `value` must not find a getter there.
      if (!deleteAddedKeys(objectPrototypeRecord)) return "dirty";
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        if (unchanged(r)) continue;
        repaired++;
        if (!repair(r)) return "dirty";
      }
    } catch (e) {
      return "dirty";
    }
    return repaired === 0 ? "clean" : "repaired";
  }

  // ---- the worker's entry points -------------------------------------------------------------
  function check(source) {
    // The code must parse as a function body on its own, so that it cannot close the wrapper
    // the worker puts around it. A SyntaxError propagates: V8's message for it carries the
    // position, which the worker reads.
    new FunctionConstructor("payload", "headers", source);
    return "";
  }

  function define(id, factory) {
    factories[id] = factory;
  }

  function forget(id) {
    deleteProperty(factories, id);
  }

  let finished = null; // what the last run returned, as JSON, until `collect` takes it

  function run(id, payloadText, headersText) {
    // The worker posts `restore` behind every run; if that did not happen, restore first.
    if (!restored && restore() === "dirty") return "dirty";
    if (dirty) return "dirty";
    restored = false;
    finished = null;
    resetRun();
    const factory = factories[id];
    const payload = jsonParse(payloadText);
    const headers = jsonParse(headersText);
    const result = factory()(payload, headers);
    const text = jsonStringify(result);
    if (text === undefined) {
      finished = '{"returned":false,"output":null';
    } else if (text.length > maxOutputChars) {
      finished = '{"returned":true,"output":null,"oversize":' + text.length;
    } else if (text.length > 2 * maxOutputDepth && jsonDepth(text) > maxOutputDepth) {
      finished = '{"returned":true,"output":null,"deep":' + jsonDepth(text);
    } else {
      finished = '{"returned":true,"output":' + text;
    }
    return "ran";
  }

  function jsonDepth(text) {
    // Levels of nesting of JSON text (strings skipped): 1 for a flat object or array.
    let depth = 0;
    let deepest = 0;
    let inString = false;
    const length = text.length;
    for (let i = 0; i < length; i++) {
      const c = apply(stringCharCodeAt, text, [i]);
      if (inString) {
        if (c === 92) i++;
        else if (c === 34) inString = false;
      } else if (c === 34) {
        inString = true;
      } else if (c === 123 || c === 91) {
        depth++;
        if (depth > deepest) deepest = depth;
      } else if (c === 125 || c === 93) {
        depth--;
      }
    }
    return deepest;
  }

  function collect() {
    // Posted right behind `run`, so V8 has run the promise jobs the code left: their console
    // output counts too. After a run that threw there is only the console.
    const head = finished === null ? "{" : finished + ",";
    finished = null;
    return head + '"console":' + consoleJSON() + "}";
  }

  function takeConsole() {
    return consoleJSON();
  }

  return freeze({
    check: check,
    define: define,
    forget: forget,
    run: run,
    collect: collect,
    restore: restore,
    takeConsole: takeConsole,
    recordCount: () => records.length,
  });
})(__DT_LIMITS__);
