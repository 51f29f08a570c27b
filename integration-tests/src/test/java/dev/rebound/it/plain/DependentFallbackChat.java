package dev.rebound.it.plain;

import com.google.inject.Inject;
import dev.rebound.annotations.Fallback;

/**
 * An alternative whose constructor needs a dependency no module binds: an injector without a binding
 * for {@link Dep} fails its creation, naming the method and the attribute, and Guice's reason names the
 * dependency.
 */
@SuppressWarnings("rebound")
public interface DependentFallbackChat {

    @Fallback(to = NeedsDep.class)
    String chat(String prompt);

    /** Always down. */
    class Impl implements DependentFallbackChat {
        @Override
        public String chat(String prompt) {
            throw new IllegalStateException("down");
        }
    }

    /** What the alternative needs; nobody binds it. */
    interface Dep {
    }

    /** The alternative: made by the injector only. */
    class NeedsDep implements DependentFallbackChat {
        @Inject
        public NeedsDep(Dep dep) {
        }

        @Override
        public String chat(String prompt) {
            return "backup: " + prompt;
        }
    }
}
