/** A customer record, with the personal data the masker must catch on the way out. */
export interface Customer {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
  readonly phone: string;
  readonly dateOfBirth: string;
  readonly iban: string;
  readonly card: string;
  readonly plan: string;
  readonly notes: string;
}

/** Customers per tenant: every read is scoped by the caller's tenant, never by an argument. */
export function createCrmData(): Map<string, Map<string, Customer>> {
  const acme = new Map<string, Customer>([
    [
      'cus_ada',
      {
        customerId: 'cus_ada',
        name: 'Ada Lovelace',
        email: 'ada.lovelace@example.com',
        phone: '+44 20 7946 0958',
        dateOfBirth: '1815-12-10',
        iban: 'GB82 WEST 1234 5698 7654 32',
        card: '4111 1111 1111 1111',
        plan: 'enterprise',
        notes: 'Prefers e-mail. Card on file 5500 0000 0000 0004 expires soon.',
      },
    ],
    [
      'cus_alan',
      {
        customerId: 'cus_alan',
        name: 'Alan Turing',
        email: 'alan.turing@example.org',
        phone: '+1 415 555 0132',
        dateOfBirth: '1912-06-23',
        iban: 'DE89 3704 0044 0532 0130 00',
        card: '5500 0000 0000 0004',
        plan: 'pro',
        notes: 'Ticket #4521 resolved on 2026-10-02.',
      },
    ],
  ]);
  const globex = new Map<string, Customer>([
    [
      'cus_hank',
      {
        customerId: 'cus_hank',
        name: 'Hank Scorpio',
        email: 'hank@globex.example',
        phone: '+1 212 555 0199',
        dateOfBirth: '1960-01-01',
        iban: 'FR14 2004 1010 0505 0001 3M02 606',
        card: '4012 8888 8888 1881',
        plan: 'pro',
        notes: 'VIP.',
      },
    ],
  ]);
  return new Map([
    ['acme', acme],
    ['globex', globex],
  ]);
}
