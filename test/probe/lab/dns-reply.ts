/** The lab's two DNS speakers (the resolver and the injector) read queries and build replies alike. */
import dnsPacket from 'dns-packet';

export interface Query {
  packet: dnsPacket.Packet;
  question: dnsPacket.Question;
}

/** Decodes a DNS query and its first question; null for anything else. */
export function parseQuery(msg: Buffer): Query | null {
  try {
    const packet = dnsPacket.decode(msg);
    const question = packet.questions?.[0];
    return question ? { packet, question } : null;
  } catch {
    return null;
  }
}

/** The reply to `q`: A records for `addrs` (none for other query types), or NXDOMAIN when `addrs` is null. */
export function encodeReply(q: Query, addrs: string[] | null, ttl: number): Buffer {
  const answers = q.question.type === 'A' && addrs ? addrs.map((a) => ({ type: 'A' as const, name: q.question.name, ttl, data: a })) : [];
  return dnsPacket.encode({
    type: 'response', id: q.packet.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (addrs ? 0 : 3),
    questions: q.packet.questions, answers,
  });
}
