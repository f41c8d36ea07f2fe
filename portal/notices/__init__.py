"""The official letters of a dossier (Mẫu 02, 03, 04) as PDF, for its applicant and the staff
of its office."""
