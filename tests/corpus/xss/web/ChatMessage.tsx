import DOMPurify from "dompurify";
import { marked } from "marked";

type Message = { role: "user" | "assistant"; content: string; html?: string };

export function ChatMessage({ message }: { message: Message }) {
  return (
    <div className={`message ${message.role}`}>
      <div dangerouslySetInnerHTML={{ __html: marked.parse(message.content) as string }} /> {/* expect: react-dangerously-set-inner-html */}
    </div>
  );
}

export function RawMessage({ message }: { message: Message }) {
  return <section dangerouslySetInnerHTML={{ __html: message.html ?? "" }} />; // expect: react-dangerously-set-inner-html
}

export function SafeMessage({ message }: { message: Message }) {
  const clean = DOMPurify.sanitize(marked.parse(message.content) as string);
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(clean) }} />; // ok: react-dangerously-set-inner-html
}

export function Styles() {
  return <style dangerouslySetInnerHTML={{ __html: ".message { margin: 0 }" }} />; // ok: react-dangerously-set-inner-html
}
