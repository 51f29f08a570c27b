package dev.rebound.ltw.generated;

/** A bean a producer makes for {@link RetriedChat} that answers, allocating nothing; woven by the agent. */
public class AnsweringChatBean implements RetriedChat {
    @Override
    public String ask(String q) {
        return q;
    }
}
