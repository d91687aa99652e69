// E-mails handed to Mailpit per second, and event accepted -> e-mail received. Filled in once the
// send-email node lands.
export async function actEmailBench(): Promise<void> {}
