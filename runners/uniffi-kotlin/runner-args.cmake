# Writes OUT/runner.args, the java argument file the harness starts (conformance/backends.json):
# the class path Maven resolved (OUT/target/classpath.txt) after the compiled classes, and the
# main class. cmake -DOUT=<build>/runners/uniffi-kotlin -P runner-args.cmake
file(READ "${OUT}/target/classpath.txt" classpath)
string(STRIP "${classpath}" classpath)
file(WRITE "${OUT}/runner.args" "-cp\n${OUT}/target/classes:${classpath}\nasyncabi.kotlin.MainKt\n")
