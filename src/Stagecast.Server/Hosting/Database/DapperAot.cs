// Every Dapper call in the stores runs code Dapper.AOT generates at compile time (no IL emitted at run time, which
// the Native AOT release cannot do); a call it cannot generate fails the build (DAP warnings are errors).
[module: Dapper.DapperAot]
