package dev.rebound.benchmarks;

import org.openjdk.jmh.annotations.CompilerControl;

/**
 * The guarded calls. Each {@code chat} is kept out of line, so that every contender pays one real
 * call the JIT can't inline away, as a call to a model client would be.
 */
final class Subjects {

    static final String ANSWER = "pong";
    static final String FALLBACK_ANSWER = "fallback";

    private Subjects() {
    }

    /** Always answers. */
    static final class Healthy implements Model {
        @Override
        @CompilerControl(CompilerControl.Mode.DONT_INLINE)
        public String chat(String prompt) {
            return ANSWER;
        }
    }

    /** Fails every other call: each guarded call fails once, then its retry answers. */
    static final class FailsOnce implements Model {
        private int calls;

        @Override
        @CompilerControl(CompilerControl.Mode.DONT_INLINE)
        public String chat(String prompt) {
            if ((calls++ & 1) == 0) {
                throw TransientFailure.INSTANCE;
            }
            return ANSWER;
        }
    }

    /** Always fails. */
    static final class Down implements Model {
        @Override
        @CompilerControl(CompilerControl.Mode.DONT_INLINE)
        public String chat(String prompt) {
            throw TransientFailure.INSTANCE;
        }
    }

    /** The one fallback of every contender. */
    static final class Backup implements Model {
        @Override
        @CompilerControl(CompilerControl.Mode.DONT_INLINE)
        public String chat(String prompt) {
            return FALLBACK_ANSWER;
        }
    }
}
