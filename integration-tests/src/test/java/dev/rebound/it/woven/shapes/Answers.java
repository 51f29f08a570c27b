package dev.rebound.it.woven.shapes;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/** A woven contract whose alternative is built for injection. */
public interface Answers {

    @Retry(attempts = 3, delay = 0)
    @Fallback(to = InjectedBackup.class)
    String answer(String question);
}
