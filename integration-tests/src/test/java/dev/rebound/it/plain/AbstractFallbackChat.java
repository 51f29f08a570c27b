package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;

/**
 * An alternative only a binding can make: {@link Backup} is abstract. An injector that binds it to
 * {@link BoundBackup} falls back to that; one that binds nothing for it fails its creation, naming the
 * method and the attribute as {@code Rebound.wrap} does.
 */
@SuppressWarnings("rebound")
public interface AbstractFallbackChat {

    @Fallback(to = Backup.class)
    String chat(String prompt);

    /** Always down. */
    class Impl implements AbstractFallbackChat {
        @Override
        public String chat(String prompt) {
            throw new IllegalStateException("down");
        }
    }

    /** Abstract: the injector makes it only through a binding. */
    abstract class Backup implements AbstractFallbackChat {
    }

    /** What a module may bind {@link Backup} to. */
    class BoundBackup extends Backup {
        @Override
        public String chat(String prompt) {
            return "bound backup: " + prompt;
        }
    }
}
