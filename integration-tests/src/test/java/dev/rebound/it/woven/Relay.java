package dev.rebound.it.woven;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/**
 * Woven: methods of two, three and four arguments whose primary fails as told, over an alternative
 * that answers with its last argument, so a test sees which arguments the alternative was given.
 * Bodies allocate nothing.
 */
public interface Relay {

    /** Thrown again and again: allocates nothing. Transient, so retried, then sent to the fallback. */
    IllegalStateException DOWN = new IllegalStateException("down");

    @Retry(attempts = 2, delay = 0)
    @Fallback(to = Backup.class)
    String second(String a, String b);

    @Retry(attempts = 2, delay = 0)
    @Fallback(to = Backup.class)
    String third(String a, String b, String c);

    @Retry(attempts = 2, delay = 0)
    @Fallback(to = Backup.class)
    String fourth(String a, String b, String c, String d);

    /** Always down, or failing every other attempt (each call fails once, then its retry answers). */
    class Primary implements Relay {
        private final boolean down;
        private int attempts;

        public Primary(boolean down) {
            this.down = down;
        }

        private void attempt() {
            if (down || (attempts++ & 1) == 0) {
                throw DOWN;
            }
        }

        @Override
        public String second(String a, String b) {
            attempt();
            return a;
        }

        @Override
        public String third(String a, String b, String c) {
            attempt();
            return a;
        }

        @Override
        public String fourth(String a, String b, String c, String d) {
            attempt();
            return a;
        }
    }

    /** Answers with its last argument. */
    class Backup implements Relay {
        @Override
        public String second(String a, String b) {
            return b;
        }

        @Override
        public String third(String a, String b, String c) {
            return c;
        }

        @Override
        public String fourth(String a, String b, String c, String d) {
            return d;
        }
    }
}
