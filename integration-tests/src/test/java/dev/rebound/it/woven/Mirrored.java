package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;

/**
 * Woven: a fallback handler choosing among alternatives of which one is a subclass of the other, listed
 * first ({@code to = {Mirror.class, Origin.class}}), by class and by position.
 */
public interface Mirrored {

    @Retry(attempts = 2, delay = 0)
    @Fallback(to = {Mirror.class, Origin.class}, handler = ByKey.class)
    String fetch(String key);

    /** Always down. */
    class Primary implements Mirrored {
        public int calls;

        @Override
        public String fetch(String key) {
            calls++;
            throw new IllegalStateException("primary down");
        }
    }

    class Origin implements Mirrored {
        @Override
        public String fetch(String key) {
            return "origin: " + key;
        }
    }

    class Mirror extends Origin {
        @Override
        public String fetch(String key) {
            return "mirror: " + key;
        }
    }

    /** Calls the alternative the key names: by its class ({@code origin}, {@code any}) or by its position. */
    final class ByKey implements FallbackHandler {
        @Override
        public Object handle(FallbackContext call) throws Throwable {
            String key = (String) call.arguments()[0];
            return switch (key) {
                case "origin" -> call.call(Origin.class, key);
                case "any" -> call.call(Mirrored.class, key);
                default -> call.call(Integer.parseInt(key), key);
            };
        }
    }
}
