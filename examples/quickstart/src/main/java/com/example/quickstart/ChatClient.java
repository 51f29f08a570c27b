// docs:quickstart-interface
package com.example.quickstart;

import dev.rebound.annotations.Fallback;
import dev.rebound.annotations.Retry;

public interface ChatClient {

    @Retry(attempts = 3, delay = 200)       // 3 attempts; waits of 100-200 ms, then 200-400 ms
    @Fallback(to = CannedAnswers.class)    // then this class, under its own @Retry
    String chat(String prompt);
}
// /docs:quickstart-interface
