package dev.rebound.it.quickstart;

/** The quickstart's fallback. */
public class CannedAnswers implements ChatClient {
    @Override
    public String chat(String prompt) {
        return "Sorry, the assistant is busy. Please try again in a minute.";
    }
}
