package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.function.Predicate;

/**
 * Issue 13's annotations through the AspectJ door: a result predicate, a per-attempt timeout and a
 * fallback handler on a woven class. Its clock is the global settings' virtual one, read per call.
 */
public class Judged {

    /** A blank answer is a failure. */
    public static final class Blank implements Predicate<Object> {
        @Override
        public boolean test(Object r) {
            return r == null || ((String) r).isBlank();
        }
    }

    /** Answers after the primary failed for good, naming why. */
    public static final class Why implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "handled " + call.failure().getClass().getSimpleName() + " after " + call.history().size();
        }
    }

    public int blankCalls;
    public int hangingCalls;

    @Retry(attempts = 3, delay = 10, jitter = false, onResult = Blank.class)
    @Fallback(to = {}, handler = Why.class)
    public String blankTwice(String q) {
        return ++blankCalls <= 2 ? "" : "answer: " + q;
    }

    @Retry(attempts = 2, delay = 0, attemptTimeout = 1000)
    @Fallback(to = {}, handler = Why.class)
    public String hangs(VirtualTimeSource clock) throws InterruptedException {
        hangingCalls++;
        clock.sleep(60_000_000_000L); // a hung attempt: a minute on the virtual clock
        return "never";
    }
}
