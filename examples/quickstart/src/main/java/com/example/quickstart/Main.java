// docs:quickstart-main
package com.example.quickstart;

import dev.rebound.runtime.Rebound;

public class Main {

    public static void main(String[] args) {
        ChatClient chat = Rebound.wrap(ChatClient.class, new RemoteModel()).build();
        System.out.println("Answer: " + chat.chat("What is Rebound?"));
    }
}
// /docs:quickstart-main
