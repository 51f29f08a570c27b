package dev.rebound.ltw.generated;

/** A bean for {@link GreetingChat} that keeps its default {@code greet}; woven by the agent (its interface carries a policy). */
public class GreetingChatBean implements GreetingChat {
    public int calls;

    @Override
    public String ask(String q) {
        calls++;
        throw new IllegalStateException("bean down");
    }
}
