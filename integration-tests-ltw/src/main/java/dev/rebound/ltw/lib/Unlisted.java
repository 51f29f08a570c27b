package dev.rebound.ltw.lib;

import dev.rebound.annotations.Retry;
import dev.rebound.it.llm.FakeLlm;

/** Outside the narrowed scope (src/test/narrow/META-INF/aop.xml): woven only by default. */
public class Unlisted {

    @Retry(attempts = 2, delay = 10, jitter = false)
    public String fetch(String q) {
        return FakeLlm.complete("unlisted", q);
    }
}
