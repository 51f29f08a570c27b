package dev.rebound.it.plain.generated;

import dev.rebound.annotations.Fallback;
import dev.rebound.runtime.FallbackContext;
import dev.rebound.runtime.FallbackHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A primary whose handler calls its second alternative by class; the first one's provider fails. */
public class Picky implements Answerer {

    @Override
    @Fallback(to = {Flaky.class, Steady.class}, handler = PicksSteady.class)
    public String answer(String q) {
        throw new IllegalStateException("picky down");
    }

    /** An alternative whose provider fails (bound to one that throws). */
    public static class Flaky implements Answerer {
        @Override
        public String answer(String q) {
            return "flaky: " + q;
        }
    }

    public static class Steady implements Answerer {
        @Override
        public String answer(String q) {
            return "steady: " + q;
        }
    }

    /** Lists the alternatives, then calls Steady by its class. */
    public static final class PicksSteady implements FallbackHandler {
        public static final List<Class<?>> SEEN = new CopyOnWriteArrayList<>();

        @Override
        public Object handle(FallbackContext call) throws Throwable {
            SEEN.addAll(call.alternatives());
            return call.call(Steady.class, call.arguments());
        }
    }
}
