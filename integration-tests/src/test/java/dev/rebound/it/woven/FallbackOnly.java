package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.it.llm.FakeModel;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;

/**
 * The seed's "fallback without retry" mistake, three times: warned about, with alternatives and with a handler
 * only, and silenced.
 */
public final class FallbackOnly {

    private FallbackOnly() {
    }

    public interface Warned {
        @Fallback(to = WarnedBackup.class)
        String invoke(String prompt);
    }

    public static class WarnedPrimary extends FakeModel implements Warned {
        public WarnedPrimary() {
            super("primary");
        }
    }

    public static class WarnedBackup extends FakeModel implements Warned {
        public WarnedBackup() {
            super("backup");
        }
    }

    public interface Silenced {
        @Fallback(to = SilencedBackup.class)
        String invoke(String prompt);
    }

    public static class SilencedPrimary extends FakeModel implements Silenced {
        public SilencedPrimary() {
            super("primary");
        }
    }

    public static class SilencedBackup extends FakeModel implements Silenced {
        public SilencedBackup() {
            super("backup");
        }
    }

    /** The mistake with a handler instead of alternatives: a fallback all the same. */
    public interface Handled {
        @Fallback(to = {}, handler = Canned.class)
        String invoke(String prompt);
    }

    public static class HandledPrimary extends FakeModel implements Handled {
        public HandledPrimary() {
            super("primary");
        }
    }

    /** Answers every failure with a canned text. */
    public static final class Canned implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "canned";
        }
    }
}
