export const FIRST_NAMES = [
  'Nora', 'Sam', 'Alex', 'Priya', 'Jonas', 'Mia', 'Liam', 'Aisha', 'Mateo', 'Hana', 'Oliver', 'Zoe', 'Ethan', 'Lena',
  'Ravi', 'Chloe', 'Tomas', 'Ines', 'Kenji', 'Sara', 'Noah', 'Amara', 'Lucas', 'Freya', 'Diego', 'Yara', 'Felix',
  'Maya', 'Arjun', 'Elena', 'Omar', 'Ivy', 'Leo', 'Nadia', 'Hugo', 'Grace', 'Kofi', 'Anya', 'Marco', 'Julia',
  'Tariq', 'Emma', 'Sven', 'Lucia', 'Dev', 'Rosa', 'Finn', 'Mei', 'Adam', 'Clara'
] as const

export const LAST_NAMES = [
  'Field', 'Ortiz', 'Patel', 'Berg', 'Khan', 'Novak', 'Silva', 'Kim', 'Moreau', 'Fischer', 'Okafor', 'Rossi', 'Tanaka',
  'Larsen', 'Haddad', 'Costa', 'Walsh', 'Nguyen', 'Schmidt', 'Ibrahim', 'Lopez', 'Meyer', 'Sato', 'Brennan', 'Dubois',
  'Kowalski', 'Andersen', 'Reyes', 'Shah', 'Murphy', 'Yilmaz', 'Jensen', 'Alvarez', 'Chen', 'Hughes', 'Varga',
  'Mensah', 'Popescu', 'Lindqvist', 'Romero', 'Weber', 'Das', 'Byrne', 'Horvat', 'Nakamura', 'Ferreira', 'Quinn',
  'Sokolov', 'Baker', 'Adeyemi'
] as const

export const DEPARTMENTS = ['Sales', 'Finance', 'Operations', 'Reception', 'Engineering', 'Support', 'HR', 'Marketing', 'IT', 'Legal'] as const
export const JOB_TITLES = ['Manager', 'Specialist', 'Coordinator', 'Analyst', 'Assistant', 'Consultant', 'Technician', 'Director'] as const
export const OFFICES = ['Seattle', 'Dublin', 'Berlin', 'Lisbon', 'Toronto', 'Remote'] as const
export const GUEST_DOMAINS = ['contoso.com', 'northwind.example', 'partner-co.example', 'gmail.com', 'outlook.com'] as const
export const CONTACT_COMPANIES = ['Acme Lab', 'Globex Supplies', 'Initech Services', 'Umbrella Logistics', 'Stark Legal'] as const
export const CONTACT_ROLES = ['orders', 'billing', 'support', 'dispatch', 'accounts'] as const

export const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '') || 'tenant'
