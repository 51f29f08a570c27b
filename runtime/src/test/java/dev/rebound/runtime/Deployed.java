package dev.rebound.runtime;

import dev.rebound.annotations.CircuitBreaker;
import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import java.util.function.Predicate;

/**
 * A deployment that left out the {@code Gone*} classes its annotations name (defined again without them by
 * {@code BadAnnotationInputTest.WithoutGoneClasses}): each method names one of them in one attribute.
 */
public interface Deployed {
    @Retry(on = Gone.class)
    String retryOn(String p);

    @Retry(abortOn = Gone.class)
    String retryAbortOn(String p);

    @Retry(onResult = GonePredicate.class)
    String retryOnResult(String p);

    @Retry
    @Fallback(to = GoneBackup.class)
    String fallbackTo(String p);

    @Retry
    @Fallback(to = Backup.class, on = Gone.class)
    String fallbackOn(String p);

    @Retry
    @Fallback(to = Backup.class, skipOn = Gone.class)
    String fallbackSkipOn(String p);

    @Retry
    @Fallback(to = Backup.class, onResult = GonePredicate.class)
    String fallbackOnResult(String p);

    @Retry
    @Fallback(to = {}, handler = GoneHandler.class)
    String fallbackHandler(String p);

    @CircuitBreaker(on = Gone.class)
    String breakerOn(String p);

    @CircuitBreaker(skipOn = Gone.class)
    String breakerSkipOn(String p);

    final class Gone extends RuntimeException {
    }

    final class GonePredicate implements Predicate<Object> {
        @Override
        public boolean test(Object result) {
            return false;
        }
    }

    final class GoneHandler implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) {
            return "";
        }
    }

    class Backup implements Deployed {
        @Override
        public String retryOn(String p) {
            return p;
        }

        @Override
        public String retryAbortOn(String p) {
            return p;
        }

        @Override
        public String retryOnResult(String p) {
            return p;
        }

        @Override
        public String fallbackTo(String p) {
            return p;
        }

        @Override
        public String fallbackOn(String p) {
            return p;
        }

        @Override
        public String fallbackSkipOn(String p) {
            return p;
        }

        @Override
        public String fallbackOnResult(String p) {
            return p;
        }

        @Override
        public String fallbackHandler(String p) {
            return p;
        }

        @Override
        public String breakerOn(String p) {
            return p;
        }

        @Override
        public String breakerSkipOn(String p) {
            return p;
        }
    }

    final class GoneBackup extends Backup {
    }
}
