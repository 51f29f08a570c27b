package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.it.llm.FakeModel;

/** The seed's "fallback without retry" mistake, twice: once warned about, once silenced. */
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
}
