// The made-up bakery-and-coffee chain behind generated exports: names, campaign coupons and stamp cards
// in Norwegian, Swedish, Danish and Finnish, with the quoting cases real exports carry (commas, a
// decimal comma in a title, line breaks inside quoted descriptions). Values mirror samples/night-1.

export const FIRST_NAMES = [
  'Åse', 'Bjørn', 'Øystein', 'Ingrid', 'Kari', 'Ola', 'Sigrid', 'Håkon', 'Astrid', 'Lars', 'Solveig', 'Torbjørn',
  'Jørgen', 'Ragnhild', 'Eirik', 'Kjersti', 'Marit', 'Trond', 'Hanne', 'Ståle', 'Frida', 'Eline', 'Mads', 'Nora',
  'Karl-Johan', 'Märta', 'Göran', 'Linnéa', 'Björn', 'Åsa', 'Sören', 'Maja', 'Elsa', 'Oskar', 'Søren', 'Signe',
  'Mette', 'Rasmus', 'Mikko', 'Veera', 'Aino', 'Jussi', 'Päivi', 'Tuomas',
];

export const LAST_NAMES = [
  'Haugen', 'Dahl', 'Løvås', 'Sæther', 'Johansen', 'Hansen', 'Berg', 'Bråten', 'Nærø', 'Brønstad', 'Ødven', 'Dæhlie',
  'Solberg', 'Bakke', 'Lund', 'Kristiansen', 'Myrstad Sælen', 'Aas', 'Ødegård', 'Strøm', 'Lindqvist', 'Åberg',
  'Löfgren', 'Nyström', 'Eriksson', 'Sjöberg', 'Sørensen', 'Jørgensen', 'Kjær', 'Hämäläinen', 'Pöyhönen', 'Nieminen',
  'Mäkelä', 'Virtanen',
];

export const EMAIL_DOMAINS = ['example.no', 'example.com', 'example.se', 'example.dk', 'example.fi'];

export const TIERS = ['bronze', 'bronze', 'bronze', 'silver', 'silver', 'gold'] as const;

export interface CouponCampaign {
  id: string;
  title: string;
  description?: string;
  code: string;
  /** Personal codes get a per-member suffix (`KAFFE10-7QX2`). */
  personalCode: boolean;
  discount?: { type: 'percentage'; percent: number } | { type: 'amount'; minor: number };
  validFrom: string;
  validTo: string;
}

export const COUPONS: readonly CouponCampaign[] = [
  { id: 'CP-BOLLE', title: 'Bolle og kaffe 39 kr', description: 'Gjelder hverdager før kl. 11.\nIkke i kombinasjon med andre tilbud.', code: 'BOLLE39', personalCode: false, discount: { type: 'amount', minor: 2000 }, validFrom: '2025-11-01', validTo: '2026-01-31' },
  { id: 'CP-BURSDAG', title: 'Bursdagskake 20 % rabatt', description: 'Gratulerer med dagen! Gjelder én hel kake.', code: 'BURSDAG', personalCode: true, discount: { type: 'percentage', percent: 20 }, validFrom: '2025-11-01', validTo: '2025-12-31' },
  { id: 'CP-FROKOST', title: 'Frokost for to', description: 'To kaffe og to rundstykker, fra 89 kr.', code: 'FROKOST2', personalCode: false, discount: { type: 'amount', minor: 3000 }, validFrom: '2025-11-01', validTo: '2026-03-31' },
  { id: 'CP-GULL', title: 'Gullmedlem: 12,5 % på alt', description: 'Fordel for gullmedlemmer, gjelder hele sortimentet.', code: 'GULL125', personalCode: true, discount: { type: 'percentage', percent: 12.5 }, validFrom: '2025-11-01', validTo: '2026-12-31' },
  { id: 'CP-HELG', title: 'Helgebrød 15 kr avslag', code: 'HELG15', personalCode: false, discount: { type: 'amount', minor: 1500 }, validFrom: '2025-11-07', validTo: '2026-02-28' },
  { id: 'CP-JULEKAKE', title: 'Julekake 15 % rabatt', description: 'Hele og halve julekaker, så lenge lageret rekker.', code: 'JUL15', personalCode: false, discount: { type: 'percentage', percent: 15 }, validFrom: '2025-12-01', validTo: '2025-12-24T15:00:00Z' },
  { id: 'CP-KAFFE10', title: '10 % på all kaffe', description: 'Gjelder kaffe, te og kakao i alle våre butikker.', code: 'KAFFE10', personalCode: true, discount: { type: 'percentage', percent: 10 }, validFrom: '2025-11-01', validTo: '2025-12-31' },
  { id: 'CP-KAKE50', title: '50 kr rabatt på hel kake', description: 'Bestill i butikk eller på nett, minst to dager før henting.', code: 'KAKE50', personalCode: false, discount: { type: 'amount', minor: 5000 }, validFrom: '2025-11-01', validTo: '2026-03-31' },
  { id: 'CP-KANELBULLE', title: 'Kanelbulle 2 för 1', description: 'Gäller alla våra butiker i Stockholm och Göteborg.', code: 'BULLE2', personalCode: false, discount: { type: 'percentage', percent: 50 }, validFrom: '2025-11-01', validTo: '2026-01-31' },
  { id: 'CP-KRINGLE', title: 'Kringle – 30 kr avslag', description: 'Hel kringle, også med rosiner.', code: 'KRINGLE30', personalCode: false, discount: { type: 'amount', minor: 3000 }, validFrom: '2025-11-15', validTo: '2026-02-15' },
  { id: 'CP-LUNSJ', title: 'Dagens lunsj 99 kr', description: 'Suppe, smørbrød og kaffe; kun i lunsjen.', code: 'LUNSJ99', personalCode: false, validFrom: '2025-11-01', validTo: '2026-04-30' },
  { id: 'CP-LUSSE', title: 'Lussekatt 3 för 2', code: 'LUSSE32', personalCode: false, discount: { type: 'percentage', percent: 33 }, validFrom: '2025-12-01', validTo: '2025-12-13' },
  { id: 'CP-PULLA', title: 'Korvapuusti -20 %', description: 'Voimassa kaikissa Helsingin myymälöissä.', code: 'PULLA20', personalCode: false, discount: { type: 'percentage', percent: 20 }, validFrom: '2025-11-01', validTo: '2026-01-31' },
  { id: 'CP-SEMLA', title: 'Semla 25 kr', description: 'Fettisdagen, hela veckan.\nMax två per kund.', code: 'SEMLA25', personalCode: false, discount: { type: 'amount', minor: 1000 }, validFrom: '2026-02-09', validTo: '2026-02-22' },
  { id: 'CP-SKOLE', title: 'Skolebolle 15 kr', description: 'Gjelder i alle butikker i Oslo og Bergen.', code: 'SKOLE15', personalCode: false, discount: { type: 'amount', minor: 1000 }, validFrom: '2025-11-01', validTo: '2026-06-19' },
  { id: 'CP-SMORBROD', title: 'Smørbrød + kaffe 79 kr', code: 'SMOR79', personalCode: false, discount: { type: 'amount', minor: 2050 }, validFrom: '2025-11-01', validTo: '2026-02-28' },
  { id: 'CP-SURDEIG', title: 'Surdeigsbrød – 25 kr avslag', description: 'Gjelder alle surdeigsbrød fra eget bakeri.', code: 'SURDEIG25', personalCode: false, discount: { type: 'amount', minor: 2500 }, validFrom: '2025-11-01', validTo: '2026-02-28' },
  { id: 'CP-TEBOKS', title: 'Te i boks 10 % rabatt', code: 'TE10', personalCode: true, discount: { type: 'percentage', percent: 10 }, validFrom: '2025-11-01', validTo: '2026-05-31' },
  { id: 'CP-VELKOMMEN', title: 'Velkommen: gratis kaffe', description: 'Én kaffe, valgfri størrelse, ved første besøk.', code: 'VELKOMMEN', personalCode: true, validFrom: '2025-11-01', validTo: '2026-12-31T22:59:59Z' },
  { id: 'CP-WIENER', title: 'Wienerbrød 2 for 1', description: 'Gælder i alle vores butikker i København, også søndag.', code: 'WIENER2', personalCode: false, discount: { type: 'percentage', percent: 50 }, validFrom: '2025-11-01', validTo: '2025-12-31' },
];

export interface StampCardProgram {
  id: string;
  title: string;
  required: number;
  reward?: string;
  description?: string;
  validTo?: string;
}

export const STAMP_CARDS: readonly StampCardProgram[] = [
  { id: 'SC-BOLLE', title: 'Bollekort', required: 6, reward: 'Gratis kanelsnurr' },
  { id: 'SC-BROD', title: 'Brødkort', required: 8, reward: 'Gratis surdeigsbrød', description: 'Stempel for hvert brød over 40 kr.\nGjelder ikke varer til halv pris.', validTo: '2026-06-30' },
  { id: 'SC-KAFFE', title: 'Kaffekort', required: 10, reward: 'Én kaffe, valgfri størrelse', description: 'Ett stempel per kjøpte kaffe, uansett størrelse.', validTo: '2026-06-30' },
  { id: 'SC-KAFFEKORT-SE', title: 'Kaffekort', required: 9, reward: 'En kaffe på huset', description: 'En stämpel per köpt kaffe, oavsett storlek.', validTo: '2026-06-30' },
  { id: 'SC-LUNSJ', title: 'Lunsjkort', required: 5, reward: 'Gratis dagens suppe', description: 'Gjelder suppe, salat og smørbrød – ikke drikke.', validTo: '2026-03-31' },
];

/** Bonus check amounts in minor units, most often 50 kr. */
export const BONUS_CHECK_AMOUNTS = [5000, 5000, 5000, 2500, 7500, 10000, 10000, 15000, 20050];
