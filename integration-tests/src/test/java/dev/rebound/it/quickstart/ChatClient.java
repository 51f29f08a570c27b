package dev.rebound.it.quickstart;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

/** The README quickstart's interface, here woven by ajc (aspectj.md's "once woven" test). */
public interface ChatClient {
    @Retry(attempts = 3, delay = 200)
    @Fallback(to = CannedAnswers.class)
    String chat(String prompt);
}
