"""One libFuzzer target: its entry point, a corpus replay test for ./zlab test, a fuzzer binary."""

def fuzz_target(name, deps):
    """`name`_fuzz.cc defines LLVMFuzzerTestOneInput; corpus/`name`/ holds its seeds.

    `name`_corpus_test replays every seed with any compiler and config (ASan/UBSan under
    --config=asan); `name`_fuzzer is the libFuzzer binary, built only with --config=libfuzzer
    (clang), which is why it is manual.
    """
    native.cc_library(
        name = name + "_entry",
        srcs = [name + "_fuzz.cc"],
        deps = deps + [":fuzz_input"],
        alwayslink = True,
    )
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        args = ["fuzz/libfuzzer/corpus/" + name],
        data = native.glob(["corpus/" + name + "/*"]),
        deps = [
            ":" + name + "_entry",
            ":replay_main",
        ],
    )
    native.cc_binary(
        name = name + "_fuzzer",
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        deps = [":" + name + "_entry"],
    )
