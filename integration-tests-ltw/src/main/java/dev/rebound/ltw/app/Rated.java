package dev.rebound.ltw.app;

import dev.rebound.annotations.Retry;

/** An interface annotated wrongly (and hidden from the annotation processor), with an enum implementing it. */
public interface Rated {

    @SuppressWarnings("rebound")
    @Retry(attempts = 101)
    String rate(String item);

    /** Fails its initialisation once woven, as a class does. */
    enum Tier implements Rated {
        GOLD;

        @Override
        public String rate(String item) {
            return item;
        }
    }
}
