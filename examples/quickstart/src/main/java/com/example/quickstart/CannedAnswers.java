// docs:quickstart-fallback
package com.example.quickstart;

/** The fallback: needs a public no-arg constructor (Rebound makes it once). */
public class CannedAnswers implements ChatClient {

    @Override
    public String chat(String prompt) {
        return "Sorry, the assistant is busy. Please try again in a minute.";
    }
}
// /docs:quickstart-fallback
