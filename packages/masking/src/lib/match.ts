/** One detection inside a string: `[start, end)` and the detector type. */
export interface Match {
  start: number;
  end: number;
  type: string;
}

/** Which built-in scanners a profile runs. */
export interface ScanFlags {
  email: boolean;
  phone: boolean;
  ssn: boolean;
  card: boolean;
  ip: boolean;
  iban: boolean;
  vat: boolean;
  dob: boolean;
  passport: boolean;
  npi: boolean;
  mrn: boolean;
  aws: boolean;
  privateKey: boolean;
  jwt: boolean;
  bearer: boolean;
  apiKey: boolean;
}
