package dev.rebound.it.plain;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;
import dev.rebound.it.woven.Judged;

/** Issue 13's annotations on a class Guice constructs and intercepts (not woven). */
public class PlainJudged {

    public int blankCalls;

    @Retry(attempts = 2, delay = 10, jitter = false, onResult = Judged.Blank.class)
    @Fallback(to = {}, handler = Judged.Why.class)
    public String alwaysBlank(String q) {
        blankCalls++;
        return " ";
    }
}
