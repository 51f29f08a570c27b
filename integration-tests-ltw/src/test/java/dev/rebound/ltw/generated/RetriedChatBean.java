package dev.rebound.ltw.generated;

/** The bean a producer makes for {@link RetriedChat}, woven by the agent (its interface carries a policy). */
public class RetriedChatBean implements RetriedChat {
    public int calls;

    @Override
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("bean down");
    }
}
